"""An MLP fed by a DataLoader over a TensorDataset, written as plain PyTorch.

The first line picks the library: ``import minigrad as torch`` runs it on minigrad, ``import torch``
on PyTorch; nothing else changes.  Three interleaved spirals are generated here with NumPy (nothing
downloads).  ``--same-weights`` starts from weights drawn with NumPy, so both libraries begin at the
same point and their losses can be compared number for number.

``--compile`` wraps the training step in ``torch.compile`` -- on minigrad, ``mg.compile``: traced on
its first calls, replayed afterwards (PyTorch's needs a C++ compiler on the CPU).

Run: python examples/pytorch_style/mlp_dataloader.py [--fast] [--same-weights] [--compile]
"""
import minigrad as torch  # the one line that picks the library (or: import torch)

import argparse
import json
import math

import numpy as np

nn = torch.nn


def make_spirals(n_per_class=300, classes=3, noise=0.2, seed=0):
    """``classes`` spiral arms in 2-D: X (n, 2) float32, y (n,) int64 class labels."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        t = np.linspace(k * 2 * math.pi / classes, (k + 2) * 2 * math.pi / classes, n_per_class)
        t = t + rng.normal(0.0, noise, n_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, k))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


def numpy_weights(model, seed):
    """A state dict of uniform(+-1/sqrt(fan_in)) weights drawn with NumPy (the same in both libraries)."""
    rng = np.random.default_rng(seed)
    state = {}
    for name, value in model.state_dict().items():
        fan_in = value.shape[1] if value.dim() == 2 else value.shape[0]
        bound = 1.0 / math.sqrt(fan_in)
        state[name] = torch.tensor(rng.uniform(-bound, bound, tuple(value.shape)), dtype=torch.float32)
    return state


def main(epochs=30, batch_size=32, lr=1e-2, shuffle=True, same_weights=False, seed=0, quiet=False, compile=False):
    """Train; returns {"losses": mean training loss per epoch, "accuracy": final training accuracy}."""
    torch.manual_seed(seed)
    X, y = make_spirals(seed=seed)
    dataset = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    if same_weights:
        model.load_state_dict(numpy_weights(model, seed))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def train_step(xb, yb):
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    if compile:
        train_step = torch.compile(train_step)
    losses = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = train_step(xb, yb)
            total += loss.item() * len(xb)
        losses.append(total / len(loader.dataset))
        if not quiet and (epoch % 5 == 0 or epoch == epochs - 1):
            print(f"epoch {epoch:3d}  loss {losses[-1]:.4f}")
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.tensor(X)).argmax(dim=1) == torch.tensor(y)).float().mean().item()
    if not quiet:
        print(f"training accuracy {accuracy:.3f}")
    return {"losses": losses, "accuracy": accuracy}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="a few epochs only")
    parser.add_argument("--same-weights", action="store_true", help="start from NumPy-drawn weights")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--compile", action="store_true", help="compile the training step")
    args = parser.parse_args()
    result = main(epochs=3 if args.fast else 30, same_weights=args.same_weights, quiet=args.json,
                  compile=args.compile)
    if args.json:
        print(json.dumps(result))
