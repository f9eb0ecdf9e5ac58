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


def _children(mod):
    return [(name, m) for name, m in mod._modules.items() if m is not None]


def _indented(text, pad):
    """``text``'s lines after the first, each prefixed with ``pad`` (the ancestors' indentation)."""
    return [pad + line for line in text.split("\n")[1:]]


def repr_tree(root, base_repr):
    """``repr(root)`` as ``Module.__repr__`` defines it, for any depth, in time linear in its size.

    ``base_repr`` is ``Module.__repr__``: modules whose class keeps it are expanded here, the
    others are asked for their own ``repr``.  Lines are emitted in order from an explicit stack;
    a module ``d`` levels down has its body indented by ``2 (d + 1)`` spaces.
    """
    out = []
    stack = [("module", root, "", "")]  # (kind, module or text, indentation, "(name): " prefix)
    while stack:
        kind, item, pad, prefix = stack.pop()
        if kind == "line":
            out.append(item)
            continue
        if type(item).__repr__ is not base_repr:
            text = repr(item)
            out.append(pad + prefix + text.split("\n")[0])
            out.extend(_indented(text, pad))
            continue
        kids, extra, name = _children(item), item.extra_repr(), type(item).__name__
        if not kids:
            out.append(f"{pad}{prefix}{name}({extra.split(chr(10))[0]}")
            out.extend(_indented(extra, pad))
            out[-1] += ")"
            continue
        out.append(f"{pad}{prefix}{name}(")
        todo = [("line", f"{pad}  {extra.split(chr(10))[0]}", "", "")] if extra else []
        todo += [("line", line, "", "") for line in _indented(extra, pad)] if extra else []
        todo += [("module", m, pad + "  ", f"({n}): ") for n, m in kids]
        todo.append(("line", pad + ")", "", ""))
        stack.extend(reversed(todo))
    return "\n".join(out)


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
