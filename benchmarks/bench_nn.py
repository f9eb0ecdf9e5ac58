"""nn overhead vs hand-written NumPy: one training step (forward + backward) of a ReLU MLP with a
softmax cross-entropy loss, and BatchNorm1d in training mode; plus save/load throughput.

Run: python benchmarks/bench_nn.py   (prints times and minigrad / NumPy ratios; no assertions)
"""
import os
import tempfile
import time

import numpy as np

import minigrad as mg
import nn
import nn.functional as F


def best_of(fn, repeat=20):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def numpy_mlp_step(x, y, w1, b1, w2, b2):
    z1 = x @ w1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2.T + b2
    z2 = z2 - z2.max(axis=1, keepdims=True)
    p = np.exp(z2)
    p /= p.sum(axis=1, keepdims=True)
    m = x.shape[0]
    loss = -np.log(p[np.arange(m), y]).mean()
    dz2 = p
    dz2[np.arange(m), y] -= 1
    dz2 /= m
    dw2, db2 = dz2.T @ a1, dz2.sum(0)
    dz1 = (dz2 @ w2) * (z1 > 0)
    dw1, db1 = dz1.T @ x, dz1.sum(0)
    return loss, dw1, db1, dw2, db2


def numpy_bn_step(x, gamma, beta, dy, eps=1e-5):
    mu = x.mean(0)
    var = x.var(0)
    xhat = (x - mu) / np.sqrt(var + eps)
    y = gamma * xhat + beta
    dxhat = dy * gamma
    dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / np.sqrt(var + eps)
    return y, dx, (dy * xhat).sum(0), dy.sum(0)


def main():
    rng = np.random.default_rng(0)
    for m, n_in, hidden in [(64, 784, 256), (512, 784, 256)]:
        x = rng.standard_normal((m, n_in)).astype(np.float32)
        y = rng.integers(0, 10, m)
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, 10))
        loss_fn = nn.CrossEntropyLoss()
        xt, yt = mg.tensor(x), mg.tensor(y)
        w1, b1 = model[0].weight.numpy(), model[0].bias.numpy()
        w2, b2 = model[2].weight.numpy(), model[2].bias.numpy()

        def mg_step():
            model.zero_grad()
            loss_fn(model(xt), yt).backward()

        t_mg = best_of(mg_step)
        t_np = best_of(lambda: numpy_mlp_step(x, y, w1, b1, w2, b2))
        print(f"MLP step m={m:4d} {n_in}-{hidden}-10: minigrad {t_mg * 1e3:7.3f} ms, "
              f"NumPy {t_np * 1e3:7.3f} ms, ratio {t_mg / t_np:5.2f}")

    x = rng.standard_normal((256, 512)).astype(np.float32)
    dy = rng.standard_normal((256, 512)).astype(np.float32)
    bn = nn.BatchNorm1d(512)
    xt, dyt = mg.tensor(x, requires_grad=True), mg.tensor(dy)

    def mg_bn():
        xt.grad = None
        bn.zero_grad()
        (bn(xt) * dyt).sum().backward()

    t_mg = best_of(mg_bn)
    t_np = best_of(lambda: numpy_bn_step(x, np.ones(512, np.float32), np.zeros(512, np.float32), dy))
    print(f"BatchNorm1d(512) train fwd+bwd m=256: minigrad {t_mg * 1e3:7.3f} ms, NumPy {t_np * 1e3:7.3f} ms, "
          f"ratio {t_mg / t_np:5.2f}")

    state = {f"w{i}": mg.randn(1024, 1024) for i in range(16)}  # 64 MiB
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ck.mg")
        t_save = best_of(lambda: mg.save(state, path), repeat=3)
        t_load = best_of(lambda: mg.load(path), repeat=3)
        t_npsave = best_of(lambda: np.savez(os.path.join(d, "ref.npz"), **{k: v.numpy() for k, v in state.items()}),
                           repeat=3)
    mib = 64
    print(f"save 64 MiB: {t_save * 1e3:.0f} ms ({mib / t_save:.0f} MiB/s, fsync included; np.savez without "
          f"fsync {t_npsave * 1e3:.0f} ms, ratio {t_save / t_npsave:.2f}); load: {t_load * 1e3:.0f} ms "
          f"({mib / t_load:.0f} MiB/s)")


if __name__ == "__main__":
    main()
