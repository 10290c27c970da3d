// Plain-TS references for conv1d and convTranspose1d (PyTorch semantics), in float64.

export interface ConvRefOptions {
  stride?: number;
  padL?: number;
  padR?: number;
  dilation?: number;
  groups?: number;
  bias?: Float32Array;
  act?: (v: number) => number;
}

/** x [B, Cin, T], w [Cout, Cin/groups, K] → [B, Cout, Tout]. */
export function conv1dRef(
  x: Float32Array, w: Float32Array, batch: number, cin: number, tin: number, cout: number, ksz: number, o: ConvRefOptions = {},
): { y: Float32Array; tout: number } {
  const stride = o.stride ?? 1;
  const dil = o.dilation ?? 1;
  const groups = o.groups ?? 1;
  const padL = o.padL ?? 0;
  const padR = o.padR ?? 0;
  const cinG = cin / groups;
  const coutG = cout / groups;
  const tout = Math.floor((tin + padL + padR - dil * (ksz - 1) - 1) / stride) + 1;
  const y = new Float32Array(batch * cout * tout);
  for (let b = 0; b < batch; b++) {
    for (let co = 0; co < cout; co++) {
      const g = Math.floor(co / coutG);
      for (let t = 0; t < tout; t++) {
        let s = o.bias ? o.bias[co]! : 0;
        for (let c = 0; c < cinG; c++) {
          const ci = g * cinG + c;
          for (let k = 0; k < ksz; k++) {
            const ti = t * stride + k * dil - padL;
            if (ti < 0 || ti >= tin) continue;
            s += w[(co * cinG + c) * ksz + k]! * x[(b * cin + ci) * tin + ti]!;
          }
        }
        y[(b * cout + co) * tout + t] = o.act ? o.act(s) : s;
      }
    }
  }
  return { y, tout };
}

/** x [B, Cin, T], w [Cin, Cout/groups, K] → [B, Cout, Tout] (scatter form, as PyTorch defines it). */
export function convTranspose1dRef(
  x: Float32Array, w: Float32Array, batch: number, cin: number, tin: number, coutG: number, ksz: number,
  o: { stride?: number; padding?: number; outputPadding?: number; groups?: number; bias?: Float32Array } = {},
): { y: Float32Array; tout: number } {
  const stride = o.stride ?? 1;
  const pad = o.padding ?? 0;
  const groups = o.groups ?? 1;
  const cinG = cin / groups;
  const cout = coutG * groups;
  const tout = (tin - 1) * stride - 2 * pad + ksz + (o.outputPadding ?? 0);
  const acc = new Float64Array(batch * cout * tout);
  for (let b = 0; b < batch; b++) {
    for (let ci = 0; ci < cin; ci++) {
      const g = Math.floor(ci / cinG);
      for (let i = 0; i < tin; i++) {
        const xv = x[(b * cin + ci) * tin + i]!;
        for (let c = 0; c < coutG; c++) {
          const co = g * coutG + c;
          for (let k = 0; k < ksz; k++) {
            const t = i * stride + k - pad;
            if (t < 0 || t >= tout) continue;
            acc[(b * cout + co) * tout + t] += xv * w[(ci * coutG + c) * ksz + k]!;
          }
        }
      }
    }
  }
  const y = new Float32Array(acc.length);
  for (let b = 0; b < batch; b++) {
    for (let co = 0; co < cout; co++) {
      for (let t = 0; t < tout; t++) {
        const i = (b * cout + co) * tout + t;
        y[i] = acc[i]! + (o.bias ? o.bias[co]! : 0);
      }
    }
  }
  return { y, tout };
}
