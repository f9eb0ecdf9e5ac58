"""Walking deeply nested modules without Python recursion.

A model built as 1,000 nested ``Sequential`` s is legal; printing it or running it must not hit
Python's recursion limit.  :func:`repr_tree` builds ``Module.__repr__`` bottom-up with an
explicit stack, and :func:`flat_sequence` gives the leaf modules a chain of nested plain
``Sequential`` s runs, in order, so ``Sequential.forward`` calls them in one loop.  A nested
``Sequential`` is expanded only when running it through its own ``__call__`` could do nothing
more: its class does not override ``__call__`` / ``forward`` and no hook is registered on it
and no ``forward`` is patched on the instance.
"""
from __future__ import annotations

__all__ = ["repr_tree", "flat_sequence"]


def _indent(text):
    return text.replace("\n", "\n  ")


def _children(mod):
    return [(name, m) for name, m in mod._modules.items() if m is not None]


def repr_tree(root, base_repr):
    """``repr(root)`` as ``Module.__repr__`` defines it, for any depth.

    ``base_repr`` is ``Module.__repr__``: modules whose class keeps it are expanded here, the
    others are asked for their own ``repr``.
    """
    done = {}
    stack = [(root, False)]
    while stack:
        mod, ready = stack.pop()
        if id(mod) in done:
            continue
        kids = _children(mod)
        if not ready:
            stack.append((mod, True))
            stack.extend((m, False) for _, m in kids if type(m).__repr__ is base_repr and id(m) not in done)
            continue
        lines = [f"({name}): " + _indent(done[id(m)] if id(m) in done else repr(m)) for name, m in kids]
        extra = mod.extra_repr()
        if not lines:
            done[id(mod)] = f"{type(mod).__name__}({extra})"
            continue
        body = ([extra] if extra else []) + lines
        done[id(mod)] = f"{type(mod).__name__}(\n  " + "\n  ".join(body) + "\n)"
    return done[id(root)]


def _plain(m, seq_class, module_class):
    if type(m).forward is not seq_class.forward or type(m).__call__ is not module_class.__call__:
        return False
    if "forward" in vars(m):
        return False
    return not any(value for key, value in vars(m).items() if "hook" in key and isinstance(value, dict))


def flat_sequence(seq, seq_class, module_class):
    """The modules ``seq`` (a Sequential) runs, in order, with plain nested Sequentials expanded."""
    stack = [iter(seq._modules.values())]
    while stack:
        m = next(stack[-1], None)
        if m is None:
            stack.pop()
        elif isinstance(m, seq_class) and _plain(m, seq_class, module_class):
            stack.append(iter(m._modules.values()))
        else:
            yield m
