#!/usr/bin/env python3
"""PyTorch CPU XSpkEmoTrans inference for flowgpu's benchmark ratio.

A short re-statement of keonlee9420/Cross-Speaker-Emotion-Transfer's XSpkEmoTrans.forward at
inference with a hard emotion id and an external speaker embedding (batch 1, so no masks): text
encoder (embedding + sinusoid positions, FFT blocks), the emotion token W_value·tanh(embed[id])
added to every token, duration predictor (FFT block, LConv block with LayerNorm, linear),
durations round(exp(log_d) − 1) ≥ 0, length regulation of the duration predictor's FFT output,
SCLN-LConv decoder and the last mel projection. fairseq's LightweightConv is written out (softmax
over each head's taps, contiguous channel groups per head, centred). Sizes come from the tensor
shapes and the config (`transformer.*_head`, defaults the RAVDESS model.yaml's). Reads the file
flowgpu's bench writes (`input.ids`, `input.speaker` [512], `input.emotion`); timing, output (the
mel [n_mel, frames]) and command line as tools/bench/common.py says.

usage: cset_torch.py weights.safetensors [--repeats 3] [--threads N] [--out mel.npy]
"""
import torch
import torch.nn.functional as F

from common import run


def fft_block(sd, p, x, heads):
    """x [T, E]: self-attention (no bias) + LayerNorm, conv FFN + LayerNorm."""
    t, e = x.shape
    d = e // heads
    q, k, v = (F.linear(x, sd[f"{p}.slf_attn.{n}.linear.weight"]).view(t, heads, d).transpose(0, 1) for n in ("w_qs", "w_ks", "w_vs"))
    att = (F.softmax(q @ k.transpose(1, 2) / d ** 0.5, -1) @ v).transpose(0, 1).reshape(t, e)
    x = F.layer_norm(F.linear(att, sd[f"{p}.slf_attn.fc.linear.weight"]) + x, (e,), sd[f"{p}.slf_attn.layer_norm.weight"], sd[f"{p}.slf_attn.layer_norm.bias"])
    w1, w2 = sd[f"{p}.pos_ffn.w_1.weight"], sd[f"{p}.pos_ffn.w_2.weight"]
    h = F.relu(F.conv1d(x.t().unsqueeze(0), w1, sd[f"{p}.pos_ffn.w_1.bias"], padding=(w1.shape[2] - 1) // 2))
    y = F.conv1d(h, w2, sd[f"{p}.pos_ffn.w_2.bias"], padding=(w2.shape[2] - 1) // 2)[0].t()
    return F.layer_norm(y + x, (e,), sd[f"{p}.pos_ffn.layer_norm.weight"], sd[f"{p}.pos_ffn.layer_norm.bias"])


def scln(x, affine, eps=1e-8):
    """Speaker-conditional layer norm over the channels of x [T, E]; affine [2E] = [bias | gain]."""
    e = x.shape[1]
    y = (x - x.mean(1, keepdim=True)) / (x.std(1, keepdim=True) + eps)
    return affine[e:] * y + affine[:e]


def lconv_block(sd, p, x, speaker=None):
    """x [T, E]: GLU, lightweight conv, residual, (SC)LN, FFN, residual, (SC)LN."""
    t, e = x.shape
    g = F.glu(F.linear(x, sd[f"{p}.act_linear.linear.weight"], sd[f"{p}.act_linear.linear.bias"]), -1)
    w = F.softmax(sd[f"{p}.conv_layer.weight"].view(sd[f"{p}.conv_layer.weight"].shape[0], -1), -1)  # [H, K]
    heads, k = w.shape
    taps = w.repeat_interleave(e // heads, 0).unsqueeze(1)  # [E, 1, K]: channel c uses head c // (E / H)
    pad = k // 2 if k % 2 else (k - 1) // 2
    conv = F.conv1d(F.pad(g.t().unsqueeze(0), (pad, k - 1 - pad)), taps, groups=e)[0].t()
    if speaker is None:
        x1 = conv + x
        y = F.linear(F.relu(F.linear(x1, sd[f"{p}.fc1.linear.weight"], sd[f"{p}.fc1.linear.bias"])), sd[f"{p}.fc2.linear.weight"], sd[f"{p}.fc2.linear.bias"])
        return F.layer_norm(y + x1, (e,), sd[f"{p}.layer_norm.weight"], sd[f"{p}.layer_norm.bias"])
    x1 = scln(conv + x, F.linear(speaker, sd[f"{p}.SCLN_1.affine_layer.linear.weight"]))
    y = F.linear(F.relu(F.linear(x1, sd[f"{p}.fc1.linear.weight"], sd[f"{p}.fc1.linear.bias"])), sd[f"{p}.fc2.linear.weight"], sd[f"{p}.fc2.linear.bias"])
    return scln(y + x1, F.linear(speaker, sd[f"{p}.SCLN_2.affine_layer.linear.weight"]))


def layers(sd, prefix):
    return len({k[len(prefix):].split(".")[0] for k in sd if k.startswith(prefix)})


def make(sd, inputs, cfg, a):
    tr = cfg.get("transformer", {})
    enc_heads = tr.get("encoder_head", 2)
    dp_heads = tr.get("duration_predictor_head", 2)
    ids = inputs["ids"].long().view(-1)
    emotion = int(inputs["emotion"].view(-1)[0].item())
    spk_in = inputs["speaker"].view(-1)

    def infer():
        t = len(ids)
        x = sd["encoder.src_word_emb.weight"][ids] + sd["encoder.position_enc"][0, :t]
        for i in range(layers(sd, "encoder.layer_stack.")):
            x = fft_block(sd, f"encoder.layer_stack.{i}", x, enc_heads)
        x = x + F.linear(torch.tanh(sd["emotion_emb.etl.embed"][emotion]), sd["emotion_emb.etl.attention.W_value.weight"])
        speaker = F.linear(spk_in, sd["speaker_emb.weight"], sd["speaker_emb.bias"])
        dp_in = x + sd["duratin_predictor.position_enc"][0, :t]
        fused = dp_in
        for i in range(layers(sd, "duratin_predictor.layer_stack.")):
            fused = fft_block(sd, f"duratin_predictor.layer_stack.{i}", fused, dp_heads)
        out = fused + dp_in + speaker
        for i in range(layers(sd, "duratin_predictor.lconv_stack.")):
            out = lconv_block(sd, f"duratin_predictor.lconv_stack.{i}", out)
        log_d = F.linear(out, sd["duratin_predictor.linear_layer.linear.weight"])[:, 0]
        d = torch.clamp(torch.round(torch.exp(log_d) - 1), min=0).long()
        dec = torch.repeat_interleave(fused, d, 0)
        n = layers(sd, "decoder.lconv_stack.")
        for i in range(n):
            dec = lconv_block(sd, f"decoder.lconv_stack.{i}", dec, speaker)
        return F.linear(dec, sd[f"decoder.mel_projection.{n - 1}.linear.weight"]).t()

    return infer


if __name__ == "__main__":
    run(make)
