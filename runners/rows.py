"""Where one session of a run writes what it measured: its rows, task streams and rounds.

:class:`Rows` knows the run's folder, id, session and size profile, so a row is
made from what was measured alone (:meth:`Rows.row`) and appended as it is
measured (:meth:`Rows.store`), its tasks beside it; a crash keeps every row
already stored.

>>> import tempfile
>>> from pathlib import Path
>>> from runners import records
>>> rows = Rows(Path(tempfile.mkdtemp()), "run-1", session=0, profile="quick")
>>> rows.rounds("bag-json", 5, "decided", [])
>>> [(r["workload"], r["stopped"]) for r in records.read(rows.dir / records.ROUNDS)]
[('bag-json', 'decided')]
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from dask.utils import key_split

from runners import records
from runners.measure import Measurement
from runners.plan import workload_info
from runners.records import RunRecord, TaskRecord
from runners.records.kinds import SchedulerSpec
from workloads.base import Workload

__all__ = ["Rows", "prefix"]


@dataclass(frozen=True)
class Rows:
    """The results folder of one session of a run: *dir*, *run_id*, *session*; *profile* sizes the workloads."""

    dir: Path
    run_id: str
    session: int
    profile: str

    def row(self, w: Workload, spec: SchedulerSpec, repeat: int, label: str | None = None, **kw: Any) -> RunRecord:
        """The row of one repeat of *w* under *spec* (*label*: the scheduler's own, if it differs from the spec's).

        *kw* are the measured fields (``status``, ``wall_s``, ``mode``, ``control``, ``round``, ...).
        """
        info = workload_info(w, self.profile)
        return RunRecord(
            run_id=self.run_id, workload=w.name, scheduler=label or spec.label, repeat=repeat,
            family=w.family, collection=w.collection, claims=list(w.claims), params=dict(w.params),
            kind=spec.kind, workers=spec.workers, threads_per_worker=spec.threads_per_worker, as_shipped=spec.as_shipped,
            size=info["size"], input_bytes=info["input_bytes"], real_data=w.real_data, session=self.session, **kw,
        )

    def store(self, row: RunRecord, m: Measurement | None = None) -> None:
        """Append *row*, and the task stream *m* captured, if any."""
        records.append(self.dir / records.ROWS, [row])
        if m is not None and m.tasks:
            tasks = [
                TaskRecord(
                    workload=row.workload, scheduler=row.scheduler, repeat=row.repeat,
                    key=t["key"], prefix=prefix(t["key"]), worker=t["worker"], thread=t["thread"],
                    start=t["start"], stop=t["stop"], action=t.get("action", "compute"), nbytes=t.get("nbytes"),
                )
                for t in m.tasks
            ]
            records.append(records.tasks_path(self.dir, row.workload, row.scheduler), tasks)

    def extra(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append rows measured outside the dask harness (the experiments), as they come."""
        records.append(self.dir / records.ROWS, [RunRecord(run_id=self.run_id, session=self.session, **x)
                                                 for x in rows])

    def rounds(self, workload: str, rounds: int, stop: str, undecided: list[str], bursts: int = 0,
               scale: float = 1.0, dropped: dict[str, str] | None = None, revisit: bool = False,
               preparation: dict[str, Any] | None = None, looks: dict[str, Any] | None = None) -> None:
        """Why a workload's rounds stopped, what was still undecided, and which specs left early as far
        slower than the best, with why (``rounds.jsonl``); *revisit*: rounds the run's leftover budget
        added after a time cap (:mod:`runners.revisit`), a second record for the workload; *preparation*:
        what its separate delayed objects cost Dask to prepare (:mod:`runners.onegraph`), when it has them;
        *looks*: its own sequential design (:func:`runners.rounds.design`), when it got one."""
        records.append(self.dir / records.ROUNDS, [{
            "run_id": self.run_id, "workload": workload, "session": self.session, "rounds": rounds,
            "stopped": stop, "undecided": undecided, "bursts": bursts, "scale": scale, "dropped": dropped or {},
            **({"revisit": True} if revisit else {}), **({"preparation": preparation} if preparation else {}),
            **({"looks": looks} if looks else {})}])

    def interference(self, figures: list[dict[str, Any]]) -> None:
        """The interference watch's records of rounds (``interference.jsonl``)."""
        records.append(self.dir / records.INTERFERENCE, [{"session": self.session, **x} for x in figures])


def prefix(key: str) -> str:
    """Task prefix as Dask defines it: the name part of a key, without the token.

    >>> prefix("('sum-aggregate-3c9f1e', 0)"), prefix("finalize-0af3")
    ('sum-aggregate', 'finalize')
    """
    try:
        return key_split(key)
    except Exception:
        return str(key)
