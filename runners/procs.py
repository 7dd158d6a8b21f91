"""Processes: no pool, cluster or worker the suite starts outlives it.

Signals (SIGTERM and SIGHUP handled like Ctrl-C), becoming the subreaper of
orphaned grandchildren, the last-resort sweep of leftover children, and
leaving without interpreter finalisation once everything is written.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

from runners.cli import Terminated

__all__ = ["kill_children", "reap", "cmdline", "is_ours", "on_term", "stop_if_signalled", "stop_code", "forget_signals",
           "become_subreaper", "exit_now", "progress"]


def progress(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:  # stderr gone (the terminal closed): the run still stops cleanly
        pass


def kill_children(keep_tracker: bool = False) -> None:
    """Last line of defence: no process this run started outlives it.

    *keep_tracker* spares multiprocessing's resource tracker while more
    processes are to come (the report build renders pages in a process pool).
    """
    try:
        import psutil
    except ImportError:
        return
    kids = [k for k in psutil.Process().children(recursive=True) if is_ours(k)]
    if keep_tracker:
        kids = [k for k in kids if "resource_tracker" not in " ".join(cmdline(k))]
    # multiprocessing's resource tracker lives as long as this process by design;
    # stop it and reap it here so it does not linger as a zombie after exit.
    leftover = [k for k in kids if "resource_tracker" not in " ".join(cmdline(k))]
    if leftover:
        names = ", ".join(sorted({" ".join(cmdline(k))[:60] for k in leftover}))
        progress(f"WARNING: stopping {len(leftover)} leftover process(es): {names}")
    # The leftovers first: a spawned worker holds the resource tracker's pipe open, and the tracker
    # runs until that pipe closes, so stopping the tracker before them would wait for ever.
    trackers = [k for k in kids if k not in leftover]
    for k in leftover:
        try:
            k.resume()  # a paused cluster's worker (SIGSTOP) would not act on SIGTERM until continued
            k.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(leftover, timeout=5)
    for k in alive:
        try:
            k.kill()
        except psutil.Error:
            pass
    if not keep_tracker:
        _stop_own_tracker()
    for k in trackers:  # another process's tracker ignores SIGTERM (by design): only SIGKILL stops it
        try:
            k.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(trackers, timeout=5)
    reap()


def _stop_own_tracker() -> None:
    """Close this process's multiprocessing resource tracker the way multiprocessing does at exit.

    It ignores SIGTERM and runs until its pipe closes, so the sweep below would otherwise wait its
    whole grace period for it; stopped this way it first unlinks anything still registered.
    """
    import threading
    from multiprocessing import resource_tracker

    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is None:
        return

    def quietly() -> None:
        try:
            stop()
        except Exception:  # noqa: BLE001 - already gone, or never started: the sweep still runs
            pass

    # Should anything else still hold its pipe, do not wait on it for ever: the sweep SIGKILLs it.
    t = threading.Thread(target=quietly, daemon=True)
    t.start()
    t.join(5)


def reap(grace_s: float = 1.0) -> None:
    """Wait for orphans adopted as subreaper (e.g. a dead worker's own resource tracker).

    They exit as soon as their parent has gone; reaping them here keeps them from
    lingering as zombies in this run's process group after it exits.
    """
    deadline = time.monotonic() + grace_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # no child left at all
        if pid == 0:  # children remain, none has exited yet
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)


def cmdline(proc: Any) -> list[str]:
    try:
        return proc.cmdline()
    except Exception:
        return []


def is_ours(proc: Any) -> bool:
    """Children that a run starts: pool workers, nannies, the resource tracker."""
    try:
        return proc.is_running() and proc.status() != "zombie"
    except Exception:
        return False


RECEIVED: list[int] = []  # the stop signals this process has handled, in order


def on_term(signum: int, frame: Any) -> None:
    """SIGTERM/SIGHUP: raise :class:`Terminated`; SIGINT: ``KeyboardInterrupt`` (as Python's own handler)."""
    RECEIVED.append(int(signum))
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def stop_if_signalled() -> None:
    """Raise the stop a signal asked for once more, at a safe point.

    Python runs a signal handler wherever the main thread is; if that is a finaliser
    (``__del__``, a weakref callback, the garbage collector's), the exception it raises
    is printed as "Exception ignored" and lost, and the run went on to exit 0 after a
    SIGHUP.  Callers check here between repeats, so a lost stop still stops the run.
    """
    if RECEIVED:
        signum = RECEIVED[0]
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated(signum)


def stop_code() -> int:
    """The exit status a recorded stop asks for (130 for Ctrl-C, 128 + the signal else); 0 with none."""
    if not RECEIVED:
        return 0
    return 130 if RECEIVED[0] == signal.SIGINT else 128 + RECEIVED[0]


def forget_signals() -> None:
    """Start a run with no stop recorded (see :func:`stop_if_signalled`)."""
    RECEIVED.clear()


def become_subreaper() -> None:
    """Adopt orphaned grandchildren (e.g. a worker whose nanny already exited).

    Without it they are reparented to PID 1 and linger as zombies until it reaps
    them; as subreaper this process waits for them itself before exiting.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:
        pass


def exit_now(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
