"""The results file: one JSON line per finished trial, appended as trials finish.

Each line is written with a single ``write`` of the whole line, then flushed and ``fsync``-ed, so
a killed search loses at most the trial that was being written.  A torn last line (a partial
write, no final newline or not valid JSON) is ignored with a warning and cut off before anything
new is appended; a bad line anywhere else means the file is not a results file, and is an error,
as is a complete line holding valid JSON that is not a well-formed record (:func:`check_record`).

Numbers that are NaN or infinite are written as Python's ``json`` writes them (``NaN``,
``Infinity``): valid for Python's reader, not for strict JSON readers.
"""
from __future__ import annotations

import json
import numbers
import os
import warnings

__all__ = ["ResultsFile", "read_records", "check_record", "RecordError"]


class RecordError(ValueError):
    """A line of a results file is valid JSON but not a trial record."""


_FIELDS = (("trial_id", numbers.Integral, True), ("config", dict, True), ("status", str, True),
           ("metrics", dict, True), ("error", (str, type(None)), False), ("time", numbers.Real, False),
           ("round", numbers.Integral, False))


def check_record(rec: dict) -> None:
    """Raise RecordError unless ``rec`` has the fields of a trial record, with their types."""
    for name, kind, required in _FIELDS:
        if name not in rec:
            if required:
                raise RecordError(f"the record lacks {name!r} (it has {sorted(rec)})")
            continue
        value = rec[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            raise RecordError(f"{name!r} must be {' or '.join(k.__name__ for k in kinds)}, got {value!r:.60}")
    if rec["trial_id"] < 0 or rec.get("round", 0) < 0:
        raise RecordError(f"trial_id and round must be >= 0, got {rec['trial_id']!r} and {rec.get('round')!r}")
    if rec["status"] not in ("ok", "failed"):
        raise RecordError(f"'status' must be 'ok' or 'failed', got {rec['status']!r:.60}")


def _parse(path, data: bytes, check=None):
    """(records, length of the good prefix in bytes, problem or None)."""
    records, good, pos = [], 0, 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        line, nxt = (data[pos:], len(data)) if end < 0 else (data[pos:end], end + 1)
        try:
            rec = json.loads(line.decode("utf-8")) if line.strip() else None
            if end < 0:
                raise ValueError("no newline at the end (partial write)")
            if rec is not None and not isinstance(rec, dict):
                raise RecordError(f"a line must hold a JSON object, got {type(rec).__name__}")
            if rec is not None and check is not None:
                check(rec)
        except (ValueError, UnicodeDecodeError) as exc:
            if nxt < len(data) or isinstance(exc, RecordError):  # not the last line / not torn: do not guess
                lineno = data[:pos].count(b"\n") + 1
                raise ValueError(f"tune: results file {path!s} line {lineno} is not a trial record "
                                 f"({exc}); it is damaged or not a results file") from None
            return records, good, f"{exc}: {line[:80]!r}"
        if rec is not None:
            records.append(rec)
        good = pos = nxt
    return records, good, None


def read_records(path, check=None) -> list:
    """The records of a results file (a missing file has none); a torn last line is skipped with a warning."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    records, _, problem = _parse(path, data, check)
    if problem:
        warnings.warn(f"tune: ignoring a torn last line in {path!s} ({problem})", RuntimeWarning, stacklevel=2)
    return records


class ResultsFile:
    """An append-only JSON-lines file of trial records.

    ``open()`` reads what is there (cutting off a torn last line, with a warning) and returns the
    records; ``append(record)`` writes one line, flushed and fsynced; ``close()`` closes.
    """

    def __init__(self, path, check=None):
        self.path = os.fspath(path)
        self.check = check  # e.g. check_record: a valid-JSON line that fails it is an error naming its line
        self._f = None

    def open(self) -> list:
        records = []
        if os.path.exists(self.path):
            with open(self.path, "rb") as f:
                data = f.read()
            records, good, problem = _parse(self.path, data, self.check)
            if problem:
                warnings.warn(f"tune: ignoring a torn last line in {self.path} ({problem}); it is cut off "
                              f"and that trial will run again", RuntimeWarning, stacklevel=3)
                os.truncate(self.path, good)
        else:
            parent = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(parent, exist_ok=True)
        self._f = open(self.path, "ab")
        return records

    def append(self, record: dict) -> dict:
        """Write ``record`` as one line; return it as read back from JSON (what a resume will see)."""
        line = json.dumps(record) + "\n"
        self._f.write(line.encode("utf-8"))
        self._f.flush()
        os.fsync(self._f.fileno())
        return json.loads(line)

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
