"""dask.bag workloads: pure-Python work over strings and dicts, which holds the GIL.

Lines are generated inside each partition from ``(seed, partition)``, so the
parent sends only a partition number to each task: a compute measures the
parsing, not the pickling of parent-side data (see docs/FACTS.md).

>>> r = LOGPARSE.build(400, 0).compute(scheduler="sync")
>>> LOGPARSE.check(r, r), LOGPARSE.check(r, r[1:])
(True, False)
"""
from __future__ import annotations

import json
import re

import dask.bag as db
import numpy as np

from workloads.base import Workload

__all__ = [
    "JSON",
    "LOGPARSE",
    "WORDCOUNT",
    "check_sorted_equal",
    "generate_json",
    "generate_logs",
    "generate_text",
    "parse_log",
]

_PARTITIONS = 8
_PATHS = ("/", "/index.html", "/api/v1/items", "/api/v1/users", "/static/app.js",
          "/static/style.css", "/login", "/search", "/img/logo.png", "/admin")
_METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
_STATUSES = (200, 200, 200, 200, 301, 304, 400, 403, 404, 500)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_KINDS = ("click", "view", "purchase", "refund", "signup")
_WORDS = tuple(
    "the of and to in is was that for on with as by at from his her it an were are which this be "
    "dask bag thread process lock global interpreter scheduler worker task graph chunk array frame "
    "python numpy pandas arrow string parse token record line word count fold group filter map".split()
)
_LOG_RE = re.compile(
    r'(?P<ip>\d+\.\d+\.\d+\.\d+) \S+ \S+ \[(?P<day>\d{2})/(?P<month>\w{3})/(?P<year>\d{4}):'
    r'(?P<time>[\d:]+) [+-]\d{4}\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" '
    r"(?P<status>\d{3}) (?P<size>\d+|-)"
)


def _partition_rng(seed: int, partition: int) -> np.random.Generator:
    return np.random.default_rng([seed, partition])


def _bounds(size: int, partition: int) -> int:
    """Number of lines of *partition* when *size* lines are split in _PARTITIONS parts."""
    return size // _PARTITIONS + (1 if partition < size % _PARTITIONS else 0)


def generate_logs(partition: list[int], seed: int, size: int) -> list[str]:
    """Apache access-log lines of one partition (the partition holds its number)."""
    (p,) = partition
    n = _bounds(size, p)
    rng = _partition_rng(seed, p)
    ints = rng.integers(0, 1 << 30, size=(n, 8)).tolist()
    lines = []
    for a, b, c, d, e, f, g, h in ints:
        size_field = "-" if h % 17 == 0 else str(h % 50_000)
        lines.append(
            f"10.{a % 256}.{b % 256}.{c % 256} - - [{d % 28 + 1:02d}/{_MONTHS[e % 12]}/2024:"
            f"{f % 24:02d}:{g % 60:02d}:{h % 60:02d} +0000] "
            f'"{_METHODS[a % len(_METHODS)]} {_PATHS[b % len(_PATHS)]}?id={c % 1000} HTTP/1.1" '
            f"{_STATUSES[d % len(_STATUSES)]} {size_field}"
        )
    return lines


def parse_log(line: str) -> tuple[str, int, int] | None:
    """``(path, status, bytes)`` of an access-log line, or None when it does not parse.

    >>> parse_log('10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /a?id=1 HTTP/1.1" 404 12')
    ('/a', 404, 12)
    """
    m = _LOG_RE.match(line)
    if m is None:
        return None
    size = m.group("size")
    return m.group("path").split("?", 1)[0], int(m.group("status")), 0 if size == "-" else int(size)


def _not_none(x: object) -> bool:
    return x is not None


def _path_status(rec: tuple[str, int, int]) -> str:
    return f"{rec[0]} {rec[1]}"


def _add_hits(acc: tuple[int, int], rec: tuple[str, int, int]) -> tuple[int, int]:
    return acc[0] + 1, acc[1] + rec[2]


def _add_pairs(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def _numbered(n_partitions: int) -> db.Bag:
    return db.from_sequence(range(n_partitions), npartitions=n_partitions)


def _build_logparse(size: int, seed: int) -> db.Bag:
    lines = _numbered(_PARTITIONS).map_partitions(generate_logs, seed, size)
    return (
        lines.map(parse_log)
        .filter(_not_none)
        .foldby(_path_status, _add_hits, (0, 0), _add_pairs, (0, 0))
    )


def generate_json(partition: list[int], seed: int, size: int) -> list[str]:
    """JSON event records of one partition, one per line."""
    (p,) = partition
    n = _bounds(size, p)
    rng = _partition_rng(seed, p)
    ints = rng.integers(0, 1 << 30, size=(n, 4)).tolist()
    amounts = rng.random(n).round(2).tolist()
    return [
        json.dumps({
            "id": p * 10_000_000 + i,
            "user": f"user{a % 5000}",
            "kind": _KINDS[b % len(_KINDS)],
            "amount": amt * 100,
            "active": c % 3 != 0,
            "tags": [_WORDS[(d >> k) % len(_WORDS)] for k in range(d % 4)],
        })
        for i, ((a, b, c, d), amt) in enumerate(zip(ints, amounts))
    ]


def _active(rec: dict) -> bool:
    return rec["active"]


def _kind(rec: dict) -> str:
    return rec["kind"]


def _add_amount(acc: tuple[int, float], rec: dict) -> tuple[int, float]:
    return acc[0] + 1 + len(rec["tags"]), acc[1] + rec["amount"]


def _build_json(size: int, seed: int) -> db.Bag:
    lines = _numbered(_PARTITIONS).map_partitions(generate_json, seed, size)
    return lines.map(json.loads).filter(_active).foldby(_kind, _add_amount, (0, 0.0), _add_pairs, (0, 0.0))


def generate_text(partition: list[int], seed: int, size: int) -> list[str]:
    """Lines of 12 words drawn Zipf-like from a small vocabulary."""
    (p,) = partition
    n = _bounds(size, p)
    rng = _partition_rng(seed, p)
    idx = np.minimum(rng.zipf(1.3, size=(n, 12)) - 1, len(_WORDS) - 1).tolist()
    return [" ".join([_WORDS[i] for i in row]) for row in idx]


def _words(line: str) -> list[str]:
    return line.lower().split()


def _build_wordcount(size: int, seed: int) -> db.Bag:
    lines = _numbered(_PARTITIONS).map_partitions(generate_text, seed, size)
    return lines.map(_words).flatten().frequencies()


def check_sorted_equal(result: list, reference: list) -> bool:
    """True when two lists of ``(key, value)`` pairs agree up to order (floats to 1e-9).

    >>> check_sorted_equal([("b", 1), ("a", (2, 0.5))], [("a", (2, 0.5)), ("b", 1)])
    True
    >>> check_sorted_equal([("a", 1)], [("a", 2)])
    False
    """
    a, b = sorted(result), sorted(reference)
    if len(a) != len(b):
        return False
    for (ka, va), (kb, vb) in zip(a, b):
        if ka != kb or not np.allclose(np.asarray(va, float), np.asarray(vb, float), rtol=1e-9, atol=0.0):
            return False
    return True


LOGPARSE = Workload(
    name="bag-logparse",
    collection="bag",
    claims=("C3", "C11", "C12"),
    sizes={"quick": 30_000, "default": 100_000, "full": 600_000},
    build=_build_logparse,
    check=check_sorted_equal,
    nbytes=lambda size: 95 * size,
    description="Generate size access-log lines per partition, parse them with re, fold hits and bytes by path and status.",
    sweep=True,
)

JSON = Workload(
    name="bag-json",
    collection="bag",
    claims=("C3", "C12"),
    sizes={"quick": 20_000, "default": 70_000, "full": 400_000},
    build=_build_json,
    check=check_sorted_equal,
    nbytes=lambda size: 110 * size,
    description="Generate size JSON records, json.loads them, keep the active ones and fold counts and amounts by kind.",
)

WORDCOUNT = Workload(
    name="bag-wordcount",
    collection="bag",
    claims=("C3", "C12"),
    sizes={"quick": 35_000, "default": 150_000, "full": 700_000},
    build=_build_wordcount,
    check=check_sorted_equal,
    nbytes=lambda size: 60 * size,
    description="Generate size lines of text, split them into words and count word frequencies.",
)
