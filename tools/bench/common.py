"""Shared by tools/bench/*_torch.py: reading the safetensors file flowgpu's bench writes (the state
dict, the config JSON in the metadata, the inputs as `input.*`), folding weight norm, timing,
and the command line every script takes. Each script's last stdout line is the JSON the bench
reads: {"seconds": median wall time, "cpu_seconds": median CPU time (all threads), "samples":
output values, "khz": ..., "threads": ..., "torch": version}; with --out the output is saved as
.npy so the bench can compare it with flowgpu's.
"""
import argparse
import json
import struct
import time

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        arr = np.frombuffer(data, dtype=DTYPES[h["dtype"]], count=(b - a) // np.dtype(DTYPES[h["dtype"]]).itemsize, offset=base + a)
        tensors[name] = torch.from_numpy(arr.reshape(h["shape"]).astype(np.float32))
    return tensors, meta


def fold_weight_norm(sd):
    """weight = g · v / ‖v‖ (norm over every dim but the first, torch's weight_norm default)."""
    for k in [k for k in sd if k.endswith(".weight_g")]:
        p = k[:-len("weight_g")]
        v = sd.pop(p + "weight_v")
        g = sd.pop(k)
        sd[p + "weight"] = g * v / v.flatten(1).norm(dim=1).view(-1, *([1] * (v.dim() - 1)))
    return sd


def timed(fn, repeats):
    """One warm-up call, then the median wall and CPU (all threads) seconds of `repeats` calls of
    fn() -> output tensor; returns (output, the JSON result the bench reads)."""
    out = fn()
    times = []
    cpu = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        c0 = time.process_time()
        out = fn()
        cpu.append(time.process_time() - c0)
        times.append(time.perf_counter() - t0)
    times.sort()
    cpu.sort()
    sec = times[len(times) // 2]
    return out, {"seconds": sec, "cpu_seconds": cpu[len(cpu) // 2], "samples": int(out.numel()), "khz": out.numel() / sec / 1000,
                 "threads": torch.get_num_threads(), "torch": torch.__version__}


def run(make, extra=lambda ap: None):
    """The command line every script takes: `weights.safetensors [--repeats N] [--threads N]
    [--out out.npy]` plus `extra`'s options. `make(state_dict, inputs, config, args)` returns the
    function to time (no arguments, returns the output tensor)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", default="")
    extra(ap)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    tensors, meta = read_safetensors(a.weights)
    inputs = {k[len("input."):]: tensors.pop(k) for k in [k for k in tensors if k.startswith("input.")]}
    cfg = json.loads(meta["config"]) if "config" in meta else {}
    fn = make(tensors, inputs, cfg, a)
    with torch.no_grad():
        out, result = timed(fn, a.repeats)
    if a.out:
        np.save(a.out, out.detach().numpy().astype(np.float32).reshape(-1))
    print(json.dumps(result))
