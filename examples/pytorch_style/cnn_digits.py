"""A small CNN on scikit-learn's bundled 8x8 digits, written as plain PyTorch.

The first line picks the library: ``import minigrad as torch`` runs it on minigrad, ``import torch``
on PyTorch; nothing else changes.  The digits ship inside scikit-learn (nothing downloads).
``--same-weights`` starts from weights drawn with NumPy so both libraries can be compared.

Run: python examples/pytorch_style/cnn_digits.py [--fast] [--same-weights]
"""
import minigrad as torch  # the one line that picks the library (or: import torch)

import argparse
import json
import math

import numpy as np
from sklearn.datasets import load_digits

nn = torch.nn
F = torch.nn.functional


class DigitNet(nn.Module):
    """conv(1->8, 3x3) -> ReLU -> max-pool 2 -> conv(8->16, 3x3) -> ReLU -> max-pool 2 -> linear(64->10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):                        # x: (N, 1, 8, 8)
        x = self.pool(F.relu(self.conv1(x)))     # (N, 8, 4, 4)
        x = self.pool(F.relu(self.conv2(x)))     # (N, 16, 2, 2)
        return self.fc(torch.flatten(x, 1))      # (N, 10) logits


def load_data(limit=None):
    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None]    # (1797, 1, 8, 8) in [0, 1]
    y = digits.target.astype(np.int64)
    if limit is not None:
        X, y = X[:limit], y[:limit]
    split = int(0.8 * len(X))
    return (X[:split], y[:split]), (X[split:], y[split:])


def numpy_weights(model, seed):
    """Uniform(+-1/sqrt(fan_in)) weights drawn with NumPy: the same start in both libraries."""
    rng = np.random.default_rng(seed)
    state = {}
    for name, value in model.state_dict().items():
        shape = tuple(value.shape)
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        bound = 1.0 / math.sqrt(fan_in)
        state[name] = torch.tensor(rng.uniform(-bound, bound, shape), dtype=torch.float32)
    return state


def main(epochs=15, batch_size=64, lr=0.05, limit=None, shuffle=True, same_weights=False, seed=0, quiet=False):
    """Train; returns {"losses": mean training loss per epoch, "test_accuracy": on the held-out 20%}."""
    torch.manual_seed(seed)
    (X_tr, y_tr), (X_te, y_te) = load_data(limit)
    train_set = torch.utils.data.TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr))
    loader = torch.utils.data.DataLoader(train_set, batch_size=batch_size, shuffle=shuffle)
    model = DigitNet()
    if same_weights:
        model.load_state_dict(numpy_weights(model, seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        losses.append(total / len(train_set))
        if not quiet:
            print(f"epoch {epoch:3d}  loss {losses[-1]:.4f}")
    model.eval()
    with torch.no_grad():
        predicted = model(torch.tensor(X_te)).argmax(dim=1)
        accuracy = (predicted == torch.tensor(y_te)).float().mean().item()
    if not quiet:
        print(f"test accuracy {accuracy:.3f}")
    return {"losses": losses, "test_accuracy": accuracy}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="two epochs on 400 digits")
    parser.add_argument("--same-weights", action="store_true", help="start from NumPy-drawn weights")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    kwargs = dict(epochs=2, limit=400) if args.fast else {}
    result = main(same_weights=args.same_weights, quiet=args.json, **kwargs)
    if args.json:
        print(json.dumps(result))
