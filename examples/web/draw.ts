// 2-D drawing for the demo page: heat maps (mel spectrograms, attention) and waveforms on a
// plain canvas.

/** Magma-like colour map (polynomial fit), t in [0, 1] → [r, g, b] in 0..255. */
export function magma(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const c0 = [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933];
  const c1 = [0.2516605407371642, 0.6775232436837668, 2.494026599312351];
  const c2 = [8.353717279216625, -3.577719514958484, 0.3144679030132573];
  const c3 = [-27.66873308576866, 14.26473078096533, -13.64921318813922];
  const c4 = [52.17613981234068, -27.94360607168351, 12.94416944238394];
  const c5 = [-50.76852536473588, 29.04658282127291, 4.23415299384598];
  const c6 = [18.65570506591883, -11.48977351997711, -5.601961508734096];
  const out = [0, 0, 0] as [number, number, number];
  for (let i = 0; i < 3; i++) {
    const v = c0[i]! + x * (c1[i]! + x * (c2[i]! + x * (c3[i]! + x * (c4[i]! + x * (c5[i]! + x * c6[i]!)))));
    out[i] = Math.round(255 * Math.min(1, Math.max(0, v)));
  }
  return out;
}

/**
 * Draws a row-major `[rows, cols]` map with row 0 at the bottom (as imshow origin='lower'),
 * values scaled between their min and max (or the given range). The canvas is sized to the data;
 * CSS scales it up.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, data: Float32Array, rows: number, cols: number, range?: [number, number]): void {
  canvas.width = Math.max(1, cols);
  canvas.height = Math.max(1, rows);
  const ctx = canvas.getContext('2d')!;
  let [lo, hi] = range ?? [Infinity, -Infinity];
  if (!range) {
    for (const v of data) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const img = ctx.createImageData(cols, rows);
  const lut = Array.from({ length: 256 }, (_, i) => magma(i / 255));
  for (let r = 0; r < rows; r++) {
    const y = rows - 1 - r;
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c]!;
      const k = Number.isFinite(v) ? Math.round((255 * (v - lo)) / span) : 0;
      const [R, G, B] = lut[Math.min(255, Math.max(0, k))]!;
      const o = (y * cols + c) * 4;
      img.data[o] = R;
      img.data[o + 1] = G;
      img.data[o + 2] = B;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** Min/max envelope of the samples across the canvas width. */
export function drawWaveform(canvas: HTMLCanvasElement, audio: Float32Array): void {
  const w = (canvas.width = Math.max(300, Math.round(canvas.clientWidth * devicePixelRatio) || 600));
  const h = (canvas.height = Math.round((canvas.clientHeight || 64) * devicePixelRatio));
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#10141c';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#2a3140';
  ctx.beginPath();
  ctx.moveTo(0, h / 2);
  ctx.lineTo(w, h / 2);
  ctx.stroke();
  if (audio.length === 0) return;
  let peak = 0;
  for (const v of audio) if (Number.isFinite(v)) peak = Math.max(peak, Math.abs(v));
  const scale = peak > 0 ? (0.45 * h) / peak : 0;
  ctx.fillStyle = '#f8a55f';
  for (let x = 0; x < w; x++) {
    const a = Math.floor((x * audio.length) / w);
    const b = Math.max(a + 1, Math.floor(((x + 1) * audio.length) / w));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b && i < audio.length; i++) {
      const v = audio[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!Number.isFinite(lo)) continue;
    const y0 = h / 2 - hi * scale;
    const y1 = h / 2 - lo * scale;
    ctx.fillRect(x, y0, 1, Math.max(1, y1 - y0));
  }
}

/** Clears a canvas to the page's dark background with a centred hint. */
export function drawPlaceholder(canvas: HTMLCanvasElement, text: string): void {
  const w = (canvas.width = 600);
  const h = (canvas.height = 120);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#10141c';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#6b7486';
  ctx.font = '15px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, w / 2, h / 2);
}
