"""Trains the demo voice: a small Glow-TTS on work/data.pt (MLE + duration loss, MAS alignment),
CPU only. Checkpoints to work/ckpt.pt every few minutes; resumes from it if present.
  python3 train.py [--minutes 80] [--frames 2400] [--lr 1e-3] [--config '{...}'] [--ckpt ckpt.pt]"""
import argparse, json, math, os, random, time
import torch
from model import FlowGenerator

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, 'work')

CONFIG = {  # the shipped demo voice: 2.07 M parameters, 8.3 MB in float32
    "n_vocab": 148, "hidden_channels": 96, "filter_channels": 256, "filter_channels_dp": 96,
    "out_channels": 80, "kernel_size": 3, "n_heads": 2, "n_layers_enc": 3, "p_dropout": 0.1,
    "n_blocks_dec": 8, "kernel_size_dec": 5, "dilation_rate": 1, "n_block_layers": 3,
    "p_dropout_dec": 0.0, "n_split": 4, "n_sqz": 2, "window_size": 4, "mean_only": True,
    "prenet": True, "hidden_channels_enc": 96, "hidden_channels_dec": 64,
}


def batches(data, max_frames, rng):
    order = sorted(range(len(data)), key=lambda i: data[i]['mel'].shape[1])
    out, cur, longest = [], [], 0
    for i in order:
        t = data[i]['mel'].shape[1]
        if cur and max(longest, t) * (len(cur) + 1) > max_frames:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, t)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def collate(data, idx):
    items = [data[i] for i in idx]
    tx = max(len(it['ids']) for it in items)
    ty = max(it['mel'].shape[1] for it in items)
    ids = torch.zeros(len(items), tx, dtype=torch.long)
    mel = torch.zeros(len(items), 80, ty)
    for k, it in enumerate(items):
        ids[k, :len(it['ids'])] = it['ids']
        mel[k, :, :it['mel'].shape[1]] = it['mel']
    return (ids, torch.tensor([len(it['ids']) for it in items]), mel,
            torch.tensor([it['mel'].shape[1] for it in items]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--minutes', type=float, default=80)
    ap.add_argument('--frames', type=int, default=2400, help='padded mel frames per batch')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--warmup', type=int, default=300)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--ckpt-every', type=float, default=4, help='minutes')
    ap.add_argument('--max-steps', type=int, default=0)
    ap.add_argument('--config', default='', help='JSON of constructor arguments overriding CONFIG')
    ap.add_argument('--ckpt', default='ckpt.pt', help='checkpoint file name under work/')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1234)
    rng = random.Random(1234)
    data = torch.load(os.path.join(WORK, 'data.pt'))
    ckpt_path = os.path.join(WORK, a.ckpt)
    config = dict(CONFIG, **(json.loads(a.config) if a.config else {}))
    net = FlowGenerator(**config)
    print('params', sum(p.numel() for p in net.parameters()), flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, betas=(0.9, 0.98), eps=1e-9)
    step, epoch, spent = 0, 0, 0.0
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        assert ck['config'] == config, f'{ckpt_path} was trained with another config; delete it or pass its --config'
        net.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        step, epoch, spent = ck['step'], ck['epoch'], ck.get('seconds', 0.0)
        print(f'resumed at step {step}', flush=True)
    else:
        net.set_ddi(True)
    net.train()
    start_step = step
    t0 = time.time()
    last_ck = t0
    hist = []

    def save():
        torch.save({'model': net.state_dict(), 'opt': opt.state_dict(), 'step': step, 'epoch': epoch,
                    'config': config, 'seconds': spent + time.time() - t0}, ckpt_path + '.tmp')
        os.replace(ckpt_path + '.tmp', ckpt_path)

    done = False
    while not done:
        for idx in batches(data, a.frames, rng):
            ids, id_lens, mel, mel_lens = collate(data, idx)
            lr = a.lr * min(1.0, (step + 1) / a.warmup)
            for gp in opt.param_groups:
                gp['lr'] = lr
            l_mle, l_dur, _ = net(ids, id_lens, mel, mel_lens)
            loss = l_mle + l_dur
            opt.zero_grad()
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            if torch.isfinite(loss):
                opt.step()
            step += 1
            hist.append((l_mle.item(), l_dur.item()))
            if step % 20 == 0:
                m = sum(h[0] for h in hist) / len(hist)
                d = sum(h[1] for h in hist) / len(hist)
                el = time.time() - t0
                print(f'step {step} epoch {epoch} mle {m:.4f} dur {d:.4f} gn {float(gn):.2f} lr {lr:.2e} '
                      f'{el / 60:.1f} min ({el / max(1, step - start_step):.2f} s/step)', flush=True)
                hist = []
            now = time.time()
            if now - last_ck > a.ckpt_every * 60:
                save()
                last_ck = now
            if (now - t0) > a.minutes * 60 or (a.max_steps and step >= a.max_steps):
                done = True
                break
        epoch += 1
    save()
    print('saved', ckpt_path, 'step', step, flush=True)


if __name__ == '__main__':
    main()
