"""Removing the temporary files that killed saves leave behind.

``minigrad.save(obj, "dir/NAME")`` writes ``dir/.NAME.PID.HEX.tmp`` (``PID`` the writer's
process id, ``HEX`` 8 random hex digits) and renames it over ``dir/NAME``.  A process killed
mid-save never renames it, and the file would stay forever.  :func:`remove_stale_temps` removes
the temporary files *of the same target* whose writer process no longer exists; files of a
live process (another writer busy saving), of this process, and files whose writer cannot be
checked (a platform without ``os.kill(pid, 0)``, or a process of another user, which counts
as alive) are left alone.  Writers on several machines sharing one directory are not told
apart by process id: do not share a checkpoint directory between hosts.
"""
from __future__ import annotations

import os
import re

__all__ = ["remove_stale_temps", "writer_alive"]

_HEX = re.compile(r"^(\d+)\.[0-9a-f]{8}\.tmp$")


def writer_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (True when that cannot be told)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def remove_stale_temps(path) -> list:
    """Remove ``.NAME.PID.HEX.tmp`` beside ``path`` (NAME its file name) whose PID is dead.

    Returns the removed paths.  Errors (a directory that cannot be listed, a file removed by
    someone else meanwhile) are ignored: cleaning up never makes a save or load fail.
    """
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    prefix = f".{name}."
    try:
        entries = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for entry in entries:
        match = _HEX.match(entry[len(prefix):]) if entry.startswith(prefix) else None
        if match is None:
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or writer_alive(pid):
            continue
        full = os.path.join(directory, entry)
        try:
            os.unlink(full)
        except OSError:
            continue
        removed.append(full)
    return removed
