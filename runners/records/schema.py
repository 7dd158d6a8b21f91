"""The result schema: typed rows appended as JSON lines, one folder per run.

A results folder ``results/<run-id>/`` holds:

``meta.json``
    The run's metadata (machine, versions, profile, command line, specs, workloads).
``rows.jsonl``
    One :class:`RunRecord` per timed repeat (or failed attempt), appended and
    flushed as each repeat ends.
``startup.jsonl``
    One :class:`StartupRecord` per scheduler spec: pool/cluster start and stop cost.
``tasks/<workload>__<scheduler>.jsonl``
    :class:`TaskRecord` rows, the task stream of every repeat in one schema.
``summary.json``, ``dashboard.html``, ``streams/*.html``, ``perf/*.html``
    Reports, rebuilt from the files above by ``python -m reports.build``.
``.lock``
    The pid of the run writing into the folder (:func:`lock`): one at a time.

Every file is created afresh inside the folder (:func:`write_file_safely`): a
link planted in a folder from elsewhere is never written through.

Every line carries ``"v": SCHEMA_VERSION``.  Readers skip lines of another
version or cut off mid-line and say what they skipped; nothing is ever
unpickled.

>>> r = RunRecord(run_id="r", workload="w", scheduler="sync", repeat=0, wall_s=0.5)
>>> RunRecord.from_dict(r.to_dict()) == r
True
"""
from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

from runners.records.files import WriteError, write_all

__all__ = [
    "SCHEMA_VERSION",
    "RunRecord",
    "StartupRecord",
    "TaskRecord",
    "append",
    "read",
    "slug",
    "stem",
    "tasks_path",
    "META",
    "ROWS",
    "STARTUP",
    "TASKS_DIR",
    "ROUNDS",
    "READABLE",
    "SHAPE",
    "upgrade",
]

# Version history:
# 1 -- first schema (run, start-up and task records).
# 2 -- ``as_shipped`` on run records and specs: processes and distributed are measured as Dask
#      ships them (``processes-2-shipped``) beside tuned (``processes-2``, the meaning it had in 1).
SCHEMA_VERSION = 2
# Versions this reader understands; older lines are upgraded as they are read (:func:`upgrade`).
READABLE = (1, 2)

META = "meta.json"
ROWS = "rows.jsonl"
STARTUP = "startup.jsonl"
TASKS_DIR = "tasks"
ROUNDS = "rounds.jsonl"  # per workload: rounds run, why they stopped, what stayed undecided
INTERFERENCE = "interference.jsonl"  # per round: host steal, other processes' CPU, load, clock; bursts left out
# The sequential design's boundary shape, recorded in meta.json's ``looks`` (reports.intervals.Looks reads it):
# c_n = C * (last / n) ** shape, 0 Pocock's flat boundary, 0.5 O'Brien-Fleming's.
SHAPE = 0.25
MODEL_CHECKS = "model_check"  # python -m reports.model_check FIT THIS: the model fitted elsewhere scored here, one JSON per fit

T = TypeVar("T", bound="_Record")


class _Record:
    """JSON round-trip shared by the record types."""

    def to_dict(self) -> dict[str, Any]:
        return {"v": SCHEMA_VERSION, **asdict(self)}  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[T], d: dict[str, Any]) -> T:
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(frozen=True)
class RunRecord(_Record):
    """One timed repeat of one workload under one scheduler spec.

    ``status`` is ``ok``, ``error`` (the workload raised), ``timeout``,
    ``mismatch`` (result disagrees with the ``sync`` reference) or ``lost``
    (the cluster lost a worker).  ``mode`` is ``instrumented`` for normal rows
    and ``bare`` for the instrumentation-overhead control run with every
    instrument off; ``control`` marks the A/A noise control (``"A"``/``"B"``).
    GIL contention is the fraction of time a probing thread waited for the GIL
    (gilknocker), per process that ran tasks.
    """

    run_id: str
    workload: str
    scheduler: str
    repeat: int
    wall_s: float | None = None
    status: str = "ok"
    mode: str = "instrumented"
    control: str = ""
    family: str = ""
    collection: str = ""
    claims: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = ""
    workers: int = 1
    threads_per_worker: int = 1
    # As Dask ships it (a pool or cluster started for the compute), or tuned (the kept one).
    as_shipped: bool = False
    size: int = 0
    input_bytes: int = 0
    real_data: bool = False
    ntasks_graph: int | None = None
    ntasks_captured: int | None = None
    gil: list[dict[str, Any]] = field(default_factory=list)  # [{pid, contention, seconds}]
    gil_min: float | None = None
    gil_median: float | None = None
    gil_max: float | None = None
    cpu_s: float | None = None
    cores_used: float | None = None
    peak_rss: int | None = None
    bytes_out: int | None = None
    bytes_in: int | None = None
    bytes_moved: int | None = None
    check_ok: bool | None = None
    check_detail: str = ""
    error_type: str = ""
    error: str = ""
    traceback: str = ""
    started_at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    # Interleaved measurement: the round this repeat belongs to (-1: not in rounds),
    # and the session of the run (0, then 1, 2, ... for each --resume).
    round: int = -1
    session: int = 0


@dataclass(frozen=True)
class StartupRecord(_Record):
    """Cost of starting and stopping one scheduler spec's pool or cluster."""

    run_id: str
    scheduler: str
    kind: str
    start_s: float | None = None
    stop_s: float | None = None
    status: str = "ok"
    error: str = ""
    address: str = ""
    dashboard_link: str = ""
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskRecord(_Record):
    """One task (or one part of it: compute, transfer, deserialize) of a task stream.

    ``start``/``stop`` are seconds since the repeat began, whatever the
    scheduler's own clock.  ``worker`` is the process (pid or worker address),
    ``thread`` the thread that ran it.
    """

    workload: str
    scheduler: str
    repeat: int
    key: str
    prefix: str
    worker: str
    thread: str
    start: float
    stop: float
    action: str = "compute"
    nbytes: int | None = None


def _clean(value: Any) -> Any:
    """JSON has no NaN: store it as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def append(path: Path, rows: Iterable[_Record | dict[str, Any]]) -> int:
    """Append *rows* as JSON lines and flush them to disk; earlier lines are never rewritten.

    A file cut off mid-line (a crash, a full disk) gets a newline first, so the
    first new row is not glued onto the damaged line and lost with it.  Raises
    :class:`WriteError` when the system refuses the write (disk full,
    read-only) or a link sits at *path*: nothing is written through a link.
    """
    lines = []
    for r in rows:
        d = r.to_dict() if isinstance(r, _Record) else {"v": SCHEMA_VERSION, **r}
        lines.append(json.dumps(_clean(d), sort_keys=True, default=str))
    if not lines:
        return 0
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            end = os.fstat(fd).st_size
            if end and os.pread(fd, 1, end - 1) != b"\n":
                data = b"\n" + data
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        if e.errno == errno.ELOOP:
            e = OSError(errno.ELOOP, "a link sits there; not followed")
        raise WriteError(path, e) from e
    return len(lines)


def read(path: Path, skipped: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Yield every complete row of *path* with this schema version.

    Lines cut off mid-way, unparsable, or of another schema version are
    skipped, and a one-line reason for each is appended to *skipped*.
    """
    if not path.exists():
        return
    with path.open("r", encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                if skipped is not None:
                    skipped.append(f"{path.name}:{n}: incomplete or damaged line skipped")
                continue
            if not isinstance(d, dict) or d.get("v") not in READABLE:
                if skipped is not None:
                    v = d.get("v") if isinstance(d, dict) else None
                    skipped.append(f"{path.name}:{n}: schema version {v!r} (expected {SCHEMA_VERSION}) skipped")
                continue
            yield upgrade(d)


def upgrade(d: dict[str, Any]) -> dict[str, Any]:
    """A line (or ``meta.json``) of an older readable version in this version's form.

    Version 1 knew one reading of ``processes``/``distributed``, the tuned one: its rows and
    specs get ``as_shipped: false``, so old results keep their meaning.

    >>> upgrade({"v": 1, "scheduler": "processes-2", "kind": "processes"})["as_shipped"]
    False
    >>> upgrade({"v": 1, "spec_details": [{"label": "sync"}]})["spec_details"][0]["as_shipped"]
    False
    """
    if d.get("v") == 1:
        d = {**d, "v": SCHEMA_VERSION}
        if "scheduler" in d or "kind" in d:
            d.setdefault("as_shipped", False)
        if isinstance(d.get("spec_details"), list):
            d["spec_details"] = [{**x, "as_shipped": bool(x.get("as_shipped", False))} if isinstance(x, dict) else x
                                 for x in d["spec_details"]]
    return d


def slug(text: str) -> str:
    """A file-name-safe form of a workload name or scheduler label."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "_"


def stem(workload: str, scheduler: str) -> str:
    """The file-name stem of (*workload*, *scheduler*): readable, and never the same for two pairs.

    Names that are already file-name safe keep their form; any other pair gets
    a hash of its exact names, after a ``~`` that safe names cannot contain.

    >>> stem("array-x", "threads-2")
    'array-x__threads-2'
    >>> stem("a/b", "sync") != stem("a_b", "sync")
    True
    """
    plain = all(slug(x) == x and "__" not in x for x in (workload, scheduler))
    if plain and len(workload) + len(scheduler) <= 200:
        return f"{workload}__{scheduler}"
    digest = hashlib.sha256(f"{workload}\0{scheduler}".encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug(workload)[:80]}__{slug(scheduler)[:80]}~{digest}"


def tasks_path(run_dir: Path, workload: str, scheduler: str) -> Path:
    """Where the task stream of (*workload*, *scheduler*) is stored."""
    return run_dir / TASKS_DIR / f"{stem(workload, scheduler)}.jsonl"
