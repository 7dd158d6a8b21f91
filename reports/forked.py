"""Work shared with a forked copy of this process: the rerun draws of :mod:`reports.resample` on a second core.

The copy inherits everything it needs by ``fork`` (no pickling of closures), sends back only its answers
(short labels) as JSON through a pipe and leaves without running exit handlers; a copy that fails, or
outlives its time (a lock held at the fork), is killed and its share is drawn here instead.
"""
from __future__ import annotations

import json
import os
import select
import signal
import time
from typing import Any, Callable

__all__ = ["cores", "fork", "collect", "in_fork"]


def cores() -> int:
    """The cores this process may use (its affinity where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def fork(work: Callable[[], dict[str, list[Any]]]) -> tuple[int, int] | None:
    """*work*() started in a forked copy of this process: ``(pid, read end)`` for :func:`collect`; None where
    this process cannot fork.  The copy sends back only the answers (short labels) as JSON and leaves without
    running exit handlers."""
    if not hasattr(os, "fork"):
        return None
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the copy
        code = 1
        try:
            os.close(r)
            data = json.dumps(work()).encode()
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def collect(child: tuple[int, int], timeout_s: float) -> dict[str, list[Any]] | None:
    """The answers of a :func:`fork` copy; None (the copy killed) when it fails or outlives *timeout_s*."""
    pid, r = child
    chunks, deadline = [], time.monotonic() + timeout_s
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                return None
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    try:
        got = json.loads(b"".join(chunks))
    except ValueError:
        return None
    return got if isinstance(got, dict) else None


def in_fork(work: Callable[[], dict[str, list[Any]]], timeout_s: float = 600.0) -> dict[str, list[Any]] | None:
    """*work*() run in a forked copy of this process, its answers back; None where that fails (see :func:`fork`)."""
    child = fork(work)
    return collect(child, timeout_s) if child is not None else None
