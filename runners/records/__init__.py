"""The results package: what a run writes and what reports may read.

:mod:`runners.records.schema`
    the rows, start-up and task records, appended as JSON lines, and their reader
:mod:`runners.records.files`
    safe writes into a results folder, the run's lock, workers that end with their parent
:mod:`runners.records.kinds`
    the scheduler-kind vocabulary: labels, specs, Dask's default per collection, what a kind means

``reports`` imports from ``runners`` nothing but this package.  Its names are
gathered here so ``records.append`` and ``records.write_file_safely`` read as
one vocabulary.
"""
from __future__ import annotations

from runners.records.files import (LOCK, Locked, RunLock, UnsafePath, WriteError, die_with_parent, lock,
                                   write_file_safely)
from runners.records.schema import (INTERFERENCE, META, MODEL_CHECKS, READABLE, ROUNDS, ROWS, SCHEMA_VERSION, STARTUP, TASKS_DIR, RunRecord,
                                    StartupRecord, TaskRecord, append, read, slug, stem, tasks_path, upgrade)

__all__ = ["SCHEMA_VERSION", "RunRecord", "StartupRecord", "TaskRecord", "append", "read", "slug", "stem",
           "tasks_path", "write_file_safely", "UnsafePath", "WriteError", "lock", "Locked", "RunLock", "LOCK",
           "die_with_parent", "META", "ROWS", "STARTUP", "TASKS_DIR", "ROUNDS", "INTERFERENCE", "MODEL_CHECKS", "READABLE", "upgrade"]
