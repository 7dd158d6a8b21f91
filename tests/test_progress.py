"""What the user sees while a run measures (runners/progress.py): a live bar on a terminal, lines otherwise."""
from __future__ import annotations

import io

from runners.progress import Display, Steps


def test_piped_every_step_and_message_is_one_plain_line():
    buf = io.StringIO()
    with Display(buf) as d:
        assert not d.live
        d.step(2, 5, "bag-json: sync, threads-2")
        d("threads-2 up in 0.01 s")
    step, msg = buf.getvalue().splitlines()
    assert step.startswith("[2/5]") and step.endswith("s bag-json: sync, threads-2") and "\x1b" not in step
    assert msg == "threads-2 up in 0.01 s"


def test_live_the_bar_moves_and_messages_print_above_it():
    buf = io.StringIO()
    with Display(buf, live=True) as d:
        d.step(3, 4, "df-groupby")
        task = d._bar.tasks[0]
        assert (task.total, task.completed, task.description) == (4, 2, "df-groupby")
        d("a message")
    assert "a message" in buf.getvalue() and d._bar is None


def test_steps_move_a_display_and_print_lines_to_anything_else():
    buf = io.StringIO()
    with Display(buf, live=True) as d:
        Steps(d, total=7)(5, "convoy")
        assert d._bar.tasks[0].total == 7 and d._bar.tasks[0].description == "convoy"
    said: list[str] = []
    Steps(said.append, total=7)(6, "A/A control")
    assert len(said) == 1 and said[0].startswith("[6/7]") and said[0].endswith("s A/A control")
