#!/usr/bin/env python3
"""PyTorch side of bench/parity.mjs: trains the workload in DIR (meta.json, *_x.bin, *_y.bin,
batches.json, written by parity.mjs) step for step on the same batches, and prints one JSON line
{"curve": {step: metric}, "seconds": s}.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/parity_ref.py DIR torch|seqnet

torch: PyTorch's own default initialisers. seqnet: the initialisers seqnet used for this run
(meta.json seqnet_init: embedding uniform | normal | small_normal; weights keras | pytorch).
The models mirror seqnet's families (src/models): Keras gate orders do not matter here, only the
architecture, the optimizer (Adam, global-norm clipping) and the metric.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIR, INIT = sys.argv[1], sys.argv[2]
META = json.load(open(os.path.join(DIR, "meta.json")))
torch.set_num_threads(1)
torch.manual_seed(META["seed"])
TASK, M, TR, INFO = META["task"], META["model"], META["train"], META["info"]


def load(name):
    d = META[f"{name}_data"]
    dt = {"int32": np.int32, "float32": np.float32}
    x = np.fromfile(os.path.join(DIR, f"{name}_x.bin"), dtype=dt[d["x_dtype"]]).reshape([d["n"], *d["x_shape"]])
    y = np.fromfile(os.path.join(DIR, f"{name}_y.bin"), dtype=dt[d["y_dtype"]]).reshape([d["n"], *d["y_shape"]])
    w = np.fromfile(os.path.join(DIR, f"{name}_w.bin"), dtype=np.float32).reshape([d["n"], *d["y_shape"]]) if d["weights"] else None
    x = torch.from_numpy(x).long() if d["x_dtype"] == "int32" else torch.from_numpy(x)
    y = torch.from_numpy(y).long() if d["y_dtype"] == "int32" else torch.from_numpy(y)
    return x, y, (torch.from_numpy(w) if w is not None else None)


class RecurrentModel(nn.Module):
    """embedding (or features) -> LSTM/GRU layers (optionally bidirectional, padding packed away) -> head"""

    def __init__(self):
        super().__init__()
        cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[M["type"]]
        self.emb = nn.Embedding(INFO["vocabSize"], M["embedding_dim"]) if TASK != "forecasting" else None
        d_in = M["embedding_dim"] if self.emb is not None else INFO["numFeatures"]
        self.rnn = cell(d_in, M["units"], num_layers=M["layers"], batch_first=True, bidirectional=M["bidirectional"])
        self.drop = nn.Dropout(M["dropout"])
        width = M["units"] * (2 if M["bidirectional"] else 1)
        out = {"language_model": INFO.get("vocabSize"), "classification": INFO.get("numClasses")}.get(TASK) or INFO["horizon"] * INFO["numTargets"]
        self.out = nn.Linear(width, out)

    def forward(self, x):
        if TASK == "language_model":
            h, _ = self.rnn(self.emb(x))
            return self.out(self.drop(h))
        if TASK == "forecasting":
            _, h = self.rnn(x)
            h = h[0] if isinstance(h, tuple) else h
            return self.out(self.drop(h[-1])).reshape(-1, INFO["horizon"], INFO["numTargets"])
        lengths = (x != 0).sum(1).clamp(min=1)
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.rnn(packed)
        h = h[0] if isinstance(h, tuple) else h  # [layers * dirs, B, U]
        last = torch.cat([h[-2], h[-1]], 1) if M["bidirectional"] else h[-1]
        return self.out(self.drop(last))


class TextCNN(nn.Module):
    """embedding -> conv (same padding, TF's left/right split) + relu -> max over real positions -> dense"""

    def __init__(self):
        super().__init__()
        E = M["embedding_dim"]
        self.emb = nn.Embedding(INFO["vocabSize"], E)
        self.convs = nn.ModuleList([nn.Conv1d(E, M["filters"], k) for k in M["kernel_sizes"]])
        self.drop = nn.Dropout(M["dropout"])
        width = M["filters"] * len(M["kernel_sizes"])
        self.hidden = nn.ModuleList()
        for u in M["hidden"]:
            self.hidden.append(nn.Linear(width, u))
            width = u
        self.out = nn.Linear(width, INFO["numClasses"])

    def forward(self, x):
        real = (x != 0).unsqueeze(1)  # [B, 1, T]
        e = self.emb(x).transpose(1, 2)  # [B, E, T]
        pooled = []
        for conv, k in zip(self.convs, M["kernel_sizes"]):
            left = (k - 1) // 2
            h = torch.relu(conv(F.pad(e, (left, k - 1 - left))))
            pooled.append(h.masked_fill(~real, float("-inf")).amax(-1).clamp(min=0) if M["pool"] == "max" else (h * real).sum(-1) / real.sum(-1).clamp(min=1))
        h = self.drop(torch.cat(pooled, 1))
        for lin in self.hidden:
            h = self.drop(torch.relu(lin(h)))
        return self.out(h)


class TransformerLM(nn.Module):
    def __init__(self):
        super().__init__()
        d, ctx = M["d_model"], INFO["seqLen"]
        self.emb = nn.Embedding(INFO["vocabSize"], d)
        self.pos = nn.Embedding(ctx, d)
        # pre-norm blocks with a GELU feed-forward, as seqnet's SeqnetTransformerBlock
        block = lambda: nn.TransformerEncoderLayer(d, M["heads"], M["ff_dim"] or 4 * d, dropout=M["dropout"], activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.ModuleList([block() for _ in range(M["layers"])])
        self.ln = nn.LayerNorm(d)
        self.out = nn.Linear(d, INFO["vocabSize"])
        self.register_buffer("mask", torch.triu(torch.full((ctx, ctx), float("-inf")), 1))

    def forward(self, x):
        t = x.shape[1]
        h = self.emb(x) + self.pos(torch.arange(t))
        for b in self.blocks:
            h = b(h, src_mask=self.mask[:t, :t])
        return self.out(self.ln(h))


def seqnet_init(model):
    """The initialisers seqnet used (src/models/init.ts and the layers' Keras defaults)."""
    kind = META["seqnet_init"]
    emb = {"uniform": lambda w: nn.init.uniform_(w, -0.05, 0.05), "normal": lambda w: nn.init.normal_(w, 0, 1), "small_normal": lambda w: nn.init.normal_(w, 0, 0.02)}
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            emb[kind["embedding"]](m.weight)
    if kind["weights"] == "pytorch":
        return  # PyTorch's defaults are seqnet's `pytorch` weights
    for m in model.modules():
        if isinstance(m, (nn.LSTM, nn.GRU, nn.RNN)):
            g = {nn.LSTM: 4, nn.GRU: 3, nn.RNN: 1}[type(m)]
            for name, p in m.named_parameters():
                if name.startswith("weight_ih"):
                    nn.init.xavier_uniform_(p)
                elif name.startswith("weight_hh"):
                    nn.init.orthogonal_(p)
                else:
                    nn.init.zeros_(p)
                    if isinstance(m, nn.LSTM) and name.startswith("bias_ih"):
                        u = p.shape[0] // g
                        p.data[u:2 * u] = 1.0  # forget gate (PyTorch order i, f, g, o)
        elif isinstance(m, nn.Linear) and not isinstance(m, nn.modules.linear.NonDynamicallyQuantizableLinear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Conv1d):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.MultiheadAttention):
            nn.init.xavier_uniform_(m.in_proj_weight)
            nn.init.zeros_(m.in_proj_bias)
            nn.init.xavier_uniform_(m.out_proj.weight)
            nn.init.zeros_(m.out_proj.bias)
    if isinstance(model, TransformerLM):
        nn.init.normal_(model.pos.weight, 0, 0.02)


def loss_fn(out, y, w):
    if TASK == "language_model":
        nll = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), reduction="none")
        return nll.mean() if w is None else (nll * w.reshape(-1)).sum() / w.sum().clamp(min=1)
    if TASK == "classification":
        return F.cross_entropy(out, y)
    return F.mse_loss(out, y)


@torch.no_grad()
def score(model, x, y, w):
    model.eval()
    total, n = 0.0, 0.0
    for i in range(0, len(x), 256):
        out, yy = model(x[i:i + 256]), y[i:i + 256]
        if TASK == "language_model":
            nll = F.cross_entropy(out.reshape(-1, out.shape[-1]), yy.reshape(-1), reduction="none") / math.log(2)
            ww = torch.ones_like(nll) if w is None else w[i:i + 256].reshape(-1)
            total, n = total + (nll * ww).sum().item(), n + ww.sum().item()
        elif TASK == "classification":
            total, n = total + (out.argmax(-1) == yy).sum().item(), n + len(yy)
        else:
            total, n = total + (out - yy).abs().sum().item(), n + yy.numel()
    model.train()
    return total / n


def main():
    x, y, w = load("train")
    vx, vy, vw = load("valid")
    batches = json.load(open(os.path.join(DIR, "batches.json")))
    model = TransformerLM() if M["type"] == "transformer" else TextCNN() if M["type"] == "textcnn" else RecurrentModel()
    if INIT == "seqnet":
        seqnet_init(model)
    opt = torch.optim.Adam(model.parameters(), lr=TR["learning_rate"], eps=1e-7)  # Keras/tfjs epsilon
    curve, t0 = {}, time.time()
    for s, idx in enumerate(batches[: max(META["steps"])]):
        idx = torch.tensor(idx)
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx], w[idx] if w is not None else None).backward()
        if TR["clip_norm"] is not None:
            nn.utils.clip_grad_norm_(model.parameters(), TR["clip_norm"])
        opt.step()
        if s + 1 in META["steps"]:
            curve[s + 1] = score(model, vx, vy, vw)
    print(json.dumps({"curve": curve, "seconds": time.time() - t0}))


main()
