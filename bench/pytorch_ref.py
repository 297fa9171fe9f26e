#!/usr/bin/env python3
"""PyTorch CPU reference for seqnet's benchmark workloads W1-W5 (same shapes as bench/workloads.mjs).

Training = forward + backward + Adam step; inference = forward only. Median of several steps after
warm-up. Writes bench/pytorch.json, which `npm run bench` reads to report seqnet's share of it.
Run where PyTorch is installed, e.g. Debian's python3-torch with libopenblas0-openmp:
    /usr/bin/python3 bench/pytorch_ref.py [--quick] [--only W1,W3] [--stdout]
--stdout prints the JSON instead of writing the file (`npm run bench -- --pytorch` runs it that
way around each workload, so both are measured side by side).
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(os.cpu_count() or 1)
torch.manual_seed(0)
QUICK = "--quick" in sys.argv
ONLY = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
STDOUT = "--stdout" in sys.argv
STEPS = 5 if QUICK else 10


class CharLM(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.emb = nn.Embedding(65, 64)
        self.rnn = cell(64, 256, num_layers=2, batch_first=True)
        self.out = nn.Linear(256, 65)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.out(h)


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.ff(self.ln2(x))


class TransformerLM(nn.Module):
    def __init__(self, d=128, heads=4, layers=4, ff=512, ctx=64):
        super().__init__()
        self.emb = nn.Embedding(65, d)
        self.pos = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList([Block(d, heads, ff) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.out = nn.Linear(d, 65)
        self.register_buffer("mask", torch.triu(torch.full((ctx, ctx), float("-inf")), 1))

    def forward(self, x):
        t = x.shape[1]
        h = self.emb(x) + self.pos(torch.arange(t))
        for b in self.blocks:
            h = b(h, self.mask[:t, :t])
        return self.out(self.ln(h))


class TextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20000, 128)
        self.convs = nn.ModuleList([nn.Conv1d(128, 100, k) for k in (3, 4, 5)])
        self.out = nn.Linear(300, 2)

    def forward(self, x):
        e = self.emb(x).transpose(1, 2)
        return self.out(torch.cat([torch.relu(c(e)).amax(-1) for c in self.convs], 1))


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(8, 64, batch_first=True)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1])


def lm_batch():
    return torch.randint(0, 65, (32, 64)), torch.randint(0, 65, (32, 64))


WORKLOADS = {
    "W1": (lambda: CharLM(nn.LSTM), lm_batch, 32 * 64, "ce3"),
    "W2": (lambda: CharLM(nn.GRU), lm_batch, 32 * 64, "ce3"),
    "W3": (TransformerLM, lm_batch, 32 * 64, "ce3"),
    "W4": (TextCNN, lambda: (torch.randint(4, 20000, (64, 200)), torch.randint(0, 2, (64,))), 64, "ce"),
    "W5": (Forecaster, lambda: (torch.randn(128, 48, 8), torch.randn(128, 1)), 128, "mse"),
}


def loss_fn(kind, out, y):
    if kind == "ce3":
        return nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
    if kind == "ce":
        return nn.functional.cross_entropy(out, y)
    return nn.functional.mse_loss(out, y)


def median_time(fn, n, warm=2):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


results = {}
for wid, (make, batch, per, kind) in WORKLOADS.items():
    if ONLY and wid not in ONLY:
        continue
    model = make()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = batch()

    def train_step():
        opt.zero_grad()
        loss_fn(kind, model(x), y).backward()
        opt.step()

    def infer():
        with torch.no_grad():
            model(x)

    tr = median_time(train_step, STEPS)
    inf = median_time(infer, STEPS)
    results[wid] = {"train": per / tr, "infer": per / inf}
    if not STDOUT:
        print(f"{wid}: train {per / tr:,.0f}/s, inference {per / inf:,.0f}/s", flush=True)

results["_info"] = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": torch.__config__.show().split("\n")[0]}
if STDOUT:
    print(json.dumps(results))
    sys.exit(0)
with open(os.path.join(os.path.dirname(__file__), "pytorch.json"), "w") as f:
    json.dump(results, f, indent=2)
