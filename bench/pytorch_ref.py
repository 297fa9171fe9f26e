#!/usr/bin/env python3
"""PyTorch CPU reference for seqnet's benchmark workloads W1-W5 (same shapes as bench/workloads.mjs).

Training = forward + backward + Adam step; inference = forward only (eval mode, no_grad);
generation = batch 1, token by token, greedy, from a one-token prime until the window (64) is full:
W1 carries the LSTM state, W3 keeps a KV cache. Each is warmed up for at least 2 s and 10 calls,
then timed for at least 3 s (6 s without --quick); the figure is units over the timed seconds.
Writes bench/pytorch.json, which `npm run bench` reads to report seqnet's share of it.
Run it as a user has PyTorch: Debian's python3-torch with the OpenMP build of OpenBLAS selected
(update-alternatives) and without this machine's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_ref.py [--quick] [--only W1,W3] [--stdout]
--stdout prints the JSON instead of writing the file (`npm run bench -- --pytorch` runs it that
way, with those variables unset, around each workload, so both are measured side by side).
"""
import ctypes
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

THREADS = 2  # the machine's two cores, as seqnet uses them
torch.set_num_threads(THREADS)
torch.manual_seed(0)
QUICK = "--quick" in sys.argv
ONLY = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
STDOUT = "--stdout" in sys.argv
WARM_S, WARM_N = 2.0, 10
TIME_S = 3.0 if QUICK else 6.0
CTX = 64
GEN_TOKENS = CTX - 1  # new tokens per generation call: the prime plus these fill the window


class CharLM(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.emb = nn.Embedding(65, 64)
        self.rnn = cell(64, 256, num_layers=2, batch_first=True)
        self.out = nn.Linear(256, 65)

    def forward(self, x, state=None):
        h, state = self.rnn(self.emb(x), state)
        return self.out(h), state

    def generate(self, prime, n):
        """greedy, one token per step, carrying the recurrent state"""
        x, state, ids = prime, None, []
        for _ in range(n):
            logits, state = self(x, state)
            nxt = int(logits[0, -1].argmax())
            ids.append(nxt)
            x = torch.tensor([[nxt]])
        return ids


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.ff(self.ln2(x))

    def step(self, x, cache):
        """x [1, T, D] new positions; cache (k, v) [1, H, t, dh] or None -> output, cache with t + T"""
        B, T, D = x.shape
        H, dh = self.heads, D // self.heads
        q, k, v = F.linear(self.ln1(x), self.attn.in_proj_weight, self.attn.in_proj_bias).split(D, -1)
        q, k, v = (t.view(B, T, H, dh).transpose(1, 2) for t in (q, k, v))  # [B, H, T, dh]
        if cache is not None:
            k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
        S = k.shape[2]
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh)  # [B, H, T, S]
        if T > 1:  # new position i sees the cache and new positions up to i
            scores = scores + torch.triu(torch.full((T, S), float("-inf")), S - T + 1)
        a = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.attn.out_proj(a)
        return x + self.ff(self.ln2(x)), (k, v)


class TransformerLM(nn.Module):
    def __init__(self, d=128, heads=4, layers=4, ff=512, ctx=CTX):
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
        return self.out(self.ln(h)), None

    def step(self, x, caches):
        """x [1, T] new ids; caches per block or None -> logits [1, T, V], caches"""
        t0 = 0 if caches is None else caches[0][0].shape[2]
        h = self.emb(x) + self.pos(torch.arange(t0, t0 + x.shape[1]))
        out = []
        for i, b in enumerate(self.blocks):
            h, c = b.step(h, None if caches is None else caches[i])
            out.append(c)
        return self.out(self.ln(h)), out

    def generate(self, prime, n):
        """greedy, one token per step, with a KV cache (n + prime length stays within the window)"""
        x, caches, ids = prime, None, []
        for _ in range(n):
            logits, caches = self.step(x, caches)
            nxt = int(logits[0, -1].argmax())
            ids.append(nxt)
            x = torch.tensor([[nxt]])
        return ids


class TextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20000, 128)
        self.convs = nn.ModuleList([nn.Conv1d(128, 100, k) for k in (3, 4, 5)])
        self.out = nn.Linear(300, 2)

    def forward(self, x):
        e = self.emb(x).transpose(1, 2)
        return self.out(torch.cat([torch.relu(c(e)).amax(-1) for c in self.convs], 1)), None


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(8, 64, batch_first=True)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1]), None


def lm_batch():
    return torch.randint(0, 65, (32, 64)), torch.randint(0, 65, (32, 64))


WORKLOADS = {
    "W1": (lambda: CharLM(nn.LSTM), lm_batch, 32 * 64, "ce3"),
    "W2": (lambda: CharLM(nn.GRU), lm_batch, 32 * 64, "ce3"),
    "W3": (TransformerLM, lm_batch, 32 * 64, "ce3"),
    "W4": (TextCNN, lambda: (torch.randint(4, 20000, (64, 200)), torch.randint(0, 2, (64,))), 64, "ce"),
    "W5": (Forecaster, lambda: (torch.randn(128, 48, 8), torch.randn(128, 1)), 128, "mse"),
}
GENERATES = {"W1", "W3"}


def loss_fn(kind, out, y):
    if kind == "ce3":
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
    if kind == "ce":
        return F.cross_entropy(out, y)
    return F.mse_loss(out, y)


def throughput(fn, units):
    """units per second of fn: warmed up for >= WARM_S and WARM_N calls, then timed for >= TIME_S"""
    t, n = time.perf_counter(), 0
    while n < WARM_N or time.perf_counter() - t < WARM_S:
        fn()
        n += 1
    t, n = time.perf_counter(), 0
    while n < 3 or time.perf_counter() - t < TIME_S:
        fn()
        n += 1
    return units * n / (time.perf_counter() - t)


def blas_info():
    """the BLAS library this process loaded, and what OpenBLAS says of itself (core type, threading)"""
    libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.split()[-1]})
    info = {"libraries": libs}
    for lib in libs:
        try:
            so = ctypes.CDLL(lib)
            so.openblas_get_config.restype = ctypes.c_char_p
            so.openblas_get_corename.restype = ctypes.c_char_p
        except (OSError, AttributeError):
            continue
        info["openblas"] = so.openblas_get_config().decode()
        info["core"] = so.openblas_get_corename().decode()
        info["threading"] = {0: "sequential", 1: "pthreads", 2: "openmp"}.get(so.openblas_get_parallel(), "?")
        info["openblas_threads"] = so.openblas_get_num_threads()
        break
    return info


def check_generation(model):
    """the cached/stateful generation path gives the full forward's greedy tokens"""
    prime = torch.tensor([[5]])
    ids = model.generate(prime, 12)
    seq = [5]
    for _ in range(12):
        logits, _ = model(torch.tensor([seq]))
        seq.append(int(logits[0, -1].argmax()))
    assert ids == seq[1:], f"generation path differs from the full forward: {ids} vs {seq[1:]}"


results = {}
for wid, (make, batch, per, kind) in WORKLOADS.items():
    if ONLY and wid not in ONLY:
        continue
    model = make()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = batch()

    def train_step():
        opt.zero_grad()
        loss_fn(kind, model(x)[0], y).backward()
        opt.step()

    def infer():
        model(x)

    model.train()
    r = {"train": throughput(train_step, per)}
    model.eval()
    with torch.no_grad():
        r["infer"] = throughput(infer, per)
        if wid in GENERATES:
            check_generation(model)
            r["generate"] = throughput(lambda: model.generate(torch.tensor([[5]]), GEN_TOKENS), GEN_TOKENS)
    results[wid] = r
    if not STDOUT:
        gen = f", generation {r['generate']:,.0f} tokens/s" if "generate" in r else ""
        print(f"{wid}: train {r['train']:,.0f}/s, inference {r['infer']:,.0f}/s{gen}", flush=True)

results["_info"] = {
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "blas": blas_info(),
    "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")},
    "warm_up": f">= {WARM_S:g} s and {WARM_N} calls",
    "timed": f">= {TIME_S:g} s",
}
if STDOUT:
    print(json.dumps(results))
    sys.exit(0)
print(json.dumps(results["_info"]))
with open(os.path.join(os.path.dirname(__file__), "pytorch.json"), "w") as f:
    json.dump(results, f, indent=2)
