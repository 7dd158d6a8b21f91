"""What the user sees while a run measures: a live bar on a terminal, plain lines otherwise.

On a terminal (stderr is a TTY) a rich progress bar shows the workload being
measured, how many are done, the elapsed and the estimated remaining time;
messages print above it.  Piped or redirected, every step and message is one
plain line (``[3/28]  12.5s bag-json: sync, threads-2``), parseable and free of
escape codes.

>>> import io
>>> buf = io.StringIO()
>>> with Display(buf) as d:
...     d.step(1, 2, "bag-json")
...     d("processes-2 up in 0.52 s")
>>> print(buf.getvalue().splitlines()[1])
processes-2 up in 0.52 s

The measuring code takes any ``say(line)`` callable, and numbers its items of
work with :class:`Steps`: on a :class:`Display` they move its bar, elsewhere
each is one plain line.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from typing import Any, Callable, TextIO

__all__ = ["Display", "Steps", "Say", "notebook"]

Say = Callable[[str], None]  # where the run's messages go: a Display, print, a list's append ...


class Display:
    """Progress of one run; call it with a message, :meth:`step` with the work item."""

    def __init__(self, file: TextIO | None = None, live: bool | None = None):
        self.file = file or sys.stderr
        self.live = self.file.isatty() if live is None else live
        self.t0 = time.perf_counter()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> "Display":
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
                TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("remaining"), TimeRemainingColumn(),
                                 console=Console(file=self.file), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __call__(self, line: str) -> None:
        if self._bar is not None:
            self._bar.console.print(line, highlight=False, markup=False)
        else:
            print(line, file=self.file, flush=True)

    def step(self, done: int, total: int, text: str) -> None:
        """Item *done* of *total* starts: *text* says what it is."""
        if self._bar is not None:
            self._bar.update(self._task, total=total, completed=done - 1, description=text[:60])
        else:
            print(f"[{done}/{total}] {time.perf_counter() - self.t0:6.1f}s {text}", file=self.file, flush=True)


def notebook() -> bool:
    """Whether this runs in a Jupyter kernel where a live :class:`Display` can show (rich draws it with ipywidgets).

    >>> notebook()  # a doctest runs in no kernel
    False
    """
    from rich.console import Console

    return Console().is_jupyter and importlib.util.find_spec("ipywidgets") is not None


class Steps:
    """The run's items of work, numbered: ``steps(3, "bag-json: sync, threads-2")`` says item 3 of *total* starts.

    >>> said = []
    >>> Steps(said.append, total=4)(1, "bag-json")
    >>> said[0].startswith("[1/4]") and said[0].endswith("s bag-json")
    True
    """

    def __init__(self, say: Say, total: int):
        self.say, self.total = say, total
        self.t0 = time.perf_counter()

    def __call__(self, index: int, text: str) -> None:
        if isinstance(self.say, Display):
            self.say.step(index, self.total, text)
        else:
            self.say(f"[{index}/{self.total}] {time.perf_counter() - self.t0:6.1f}s {text}")
