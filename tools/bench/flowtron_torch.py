#!/usr/bin/env python3
"""PyTorch CPU Flowtron inference for flowgpu's benchmark ratio.

A short re-statement of NVIDIA/flowtron's Flowtron.infer with the gate off (every frame of the
given residual is made): text encoder (3 × conv5 + affine instance norm + ReLU, BiLSTM), speaker
embedding appended to every token, then the flows in reverse order, each an autoregressive step
(attention LSTM over the previous output frame, additive attention over the text, LSTM stack,
two tanh dense layers, 1x1 conv to log_s | b, frame = (residual − b) / exp(log_s)); odd flows
(AR_Back_Step) run on the time-flipped sequence. The sizes come from the tensor shapes. Reads
the file flowgpu's bench writes (state_dict names, `input.ids`, `input.speaker`, `input.residual`
[1, n_mel, frames]); timing, output (the mel [n_mel, frames]) and command line as
tools/bench/common.py says.

usage: flowtron_torch.py weights.safetensors [--repeats 3] [--threads N] [--out mel.npy]
"""
import torch
import torch.nn.functional as F

from common import run


def lstm_step(sd, p, layer, x, state, suffix=""):
    """One step of layer `layer` of the torch.nn.LSTM named `p` (gates i, f, g, o): new (h, c)."""
    h, c = state
    z = (F.linear(x, sd[f"{p}.weight_ih_l{layer}{suffix}"], sd[f"{p}.bias_ih_l{layer}{suffix}"]) +
         F.linear(h, sd[f"{p}.weight_hh_l{layer}{suffix}"], sd[f"{p}.bias_hh_l{layer}{suffix}"]))
    i, f, g, o = z.chunk(4)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def encode(sd, ids, speaker):
    x = sd["embedding.weight"][ids].t().unsqueeze(0)  # [1, D, tx]
    for i in range(3):
        p = f"encoder.convolutions.{i}"
        x = F.conv1d(x, sd[p + ".0.conv.weight"], sd[p + ".0.conv.bias"], padding=2)
        x = F.relu(F.instance_norm(x, weight=sd[p + ".1.weight"], bias=sd[p + ".1.bias"], eps=1e-5))
    x = x[0].t()  # [tx, D]
    hh = sd["encoder.lstm.weight_hh_l0"].shape[1]
    halves = []
    for suffix, order in (("", range(len(ids))), ("_reverse", reversed(range(len(ids))))):
        state = (torch.zeros(hh), torch.zeros(hh))
        out = [None] * len(ids)
        for t in order:
            state = lstm_step(sd, "encoder.lstm", 0, x[t], state, suffix)
            out[t] = state[0]
        halves.append(torch.stack(out))
    spk = sd["speaker_embedding.weight"][speaker].expand(len(ids), -1)
    return torch.cat(halves + [spk], 1)  # [tx, D + S]


def infer_flow(sd, p, enc, residual):
    """One AR step flow over residual rows [T, M] (gate off): output rows [T, M]."""
    layers = len([k for k in sd if k.startswith(p + ".lstm.weight_ih_l")])
    hidden = sd[p + ".attention_lstm.weight_hh_l0"].shape[1]
    keys = F.linear(enc, sd[p + ".attention_layer.key.linear_layer.weight"])  # [tx, A]
    values = F.linear(enc, sd[p + ".attention_layer.value.linear_layer.weight"])
    zero = torch.zeros(hidden)
    att = (zero, zero)
    stack = [(zero, zero)] * layers
    frame = torch.zeros(residual.shape[1])
    out = []
    for i in range(residual.shape[0]):
        att = lstm_step(sd, p + ".attention_lstm", 0, frame, att)
        q = F.linear(att[0], sd[p + ".attention_layer.query.linear_layer.weight"])
        scores = F.linear(torch.tanh(q + keys), sd[p + ".attention_layer.v.linear_layer.weight"])[:, 0]
        ctx = F.softmax(scores, 0) @ values
        x = torch.cat([att[0], ctx])
        for l in range(layers):
            stack[l] = lstm_step(sd, p + ".lstm", l, x, stack[l])
            x = stack[l][0]
        for k in range(2):
            d = f"{p}.dense_layer.layers.{k}.linear_layer"
            x = torch.tanh(F.linear(x, sd[d + ".weight"], sd[d + ".bias"]))
        log_s, b = F.linear(x, sd[p + ".conv.weight"][:, :, 0], sd[p + ".conv.bias"]).chunk(2)
        frame = (residual[i] - b) / torch.exp(log_s)
        out.append(frame)
    return torch.stack(out)


def make(sd, inputs, cfg, a):
    ids = inputs["ids"].long().view(-1)
    speaker = int(inputs["speaker"].view(-1)[0].item())
    residual = inputs["residual"][0].t()  # [T, M]
    flows = len({k.split(".")[1] for k in sd if k.startswith("flows.")})

    def infer():
        enc = encode(sd, ids, speaker)
        x = residual
        for f in reversed(range(flows)):
            if f % 2 == 0:
                x = infer_flow(sd, f"flows.{f}", enc, x)
            else:
                x = infer_flow(sd, f"flows.{f}.ar_step", enc, x.flip(0)).flip(0)
        return x.t()  # [M, T]

    return infer


if __name__ == "__main__":
    run(make)
