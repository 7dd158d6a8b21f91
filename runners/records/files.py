"""A results folder that cannot be turned against its reader, and a run that leaves nothing behind.

Part of the results package :mod:`runners.records` (what reports may read):

* :func:`write_file_safely` creates a file afresh inside a folder: every folder on
  the way is opened without following links, the data go to ``<name>.tmp``
  created exclusively, then are renamed over ``<name>``.  A link planted at
  either name (say, in a folder unpacked from someone else's archive) is
  replaced, never written through, and what was refused is said on stderr.
* :func:`lock` lets one run at a time write into a results folder.
* :func:`die_with_parent` makes a pool worker end with the process that started it.

>>> import pathlib, tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     write_file_safely(d, "a/b.txt", "hi"), (pathlib.Path(d) / "a" / "b.txt").read_text()
([], 'hi')
"""
from __future__ import annotations

import errno
import os
import signal
import stat
import sys
from pathlib import Path, PurePosixPath

__all__ = ["UnsafePath", "WriteError", "write_file_safely", "LOCK", "Locked", "RunLock", "lock",
           "die_with_parent", "describe"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_WHY = {errno.ENOSPC: "disk full", errno.EROFS: "read-only file system", errno.EDQUOT: "disk quota exceeded"}


class UnsafePath(ValueError):
    """A path the suite does not write: outside its folder, or through a link or a file on the way."""


class WriteError(Exception):
    """The system refused a write into a results folder (disk full, read-only, ...): the run cannot go on."""

    def __init__(self, path: str | os.PathLike, err: OSError):
        self.path = str(path)
        self.errno = err.errno
        super().__init__(f"cannot write {self.path}: {describe(err)}")


def describe(err: OSError) -> str:
    """What an OSError means for the user: 'disk full (No space left on device)', or the errno text."""
    text = err.strerror or str(err)
    why = _WHY.get(err.errno or 0)
    return f"{why} ({text})" if why else text


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _parts(relpath: str | os.PathLike) -> list[str]:
    p = PurePosixPath(os.fspath(relpath))
    parts = [x for x in p.parts if x != "."]
    if p.is_absolute() or not parts or ".." in parts:
        raise UnsafePath(f"{relpath}: not a path inside the folder; nothing written")
    return parts


def _open_dirs(folder: Path, dirs: list[str]) -> int:
    """A descriptor of *folder*/*dirs*, each made if missing and opened without following a link."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for i, part in enumerate(dirs):
            try:
                os.mkdir(part, 0o777, dir_fd=fd)
            except FileExistsError:
                pass
            try:
                sub = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    where = folder / "/".join(dirs[: i + 1])
                    raise UnsafePath(f"{where}: a link or a file where a folder belongs; nothing written "
                                     "under it") from None
                raise
            os.close(fd)
            fd = sub
        return fd
    except BaseException:
        os.close(fd)
        raise


def _lstat(dfd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _link_target(dfd: int, name: str) -> str:
    try:
        return os.readlink(name, dir_fd=dfd)
    except OSError:
        return "?"


def _note(notes: list[str], text: str) -> None:
    notes.append(text)
    try:
        print(f"WARNING: {text}", file=sys.stderr, flush=True)
    except OSError:  # stderr gone (a closed terminal): the note is still returned
        pass


def write_file_safely(folder: str | os.PathLike, relpath: str | os.PathLike, data: str | bytes, *,
                      durable: bool = False) -> list[str]:
    """Write *data* to *folder*/*relpath* as a new file; return what was refused (also printed to stderr).

    *folder* itself is trusted (it may be a link, e.g. ``results/`` on another
    disk); nothing under it is followed.  A link at the file's name or at its
    ``.tmp`` is removed or replaced, its target left alone.  With *durable* the
    data and the rename are flushed to disk before returning.

    Raises :class:`UnsafePath` for a path outside *folder*, through a linked
    folder, or onto a folder; :class:`WriteError` when the system refuses.
    """
    folder = Path(folder)
    parts = _parts(relpath)
    name, tmp = parts[-1], parts[-1] + ".tmp"
    shown = folder / "/".join(parts)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    notes: list[str] = []
    try:
        dfd = _open_dirs(folder, parts[:-1])
    except OSError as e:
        raise WriteError(shown.parent, e) from e
    try:
        for attempt in (0, 1):
            try:
                tfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644, dir_fd=dfd)
                break
            except FileExistsError:
                st = _lstat(dfd, tmp)
                if attempt or (st is not None and stat.S_ISDIR(st.st_mode)):
                    raise UnsafePath(f"{shown}.tmp: in the way and cannot be removed; nothing written") from None
                if st is not None and stat.S_ISLNK(st.st_mode):
                    _note(notes, f"{shown}.tmp: a link (to {_link_target(dfd, tmp)}) was planted here; "
                                 "not followed, removed")
                os.unlink(tmp, dir_fd=dfd)  # else a leftover of a crash: ours to remove
        try:
            try:
                write_all(tfd, payload)
                if durable:
                    os.fsync(tfd)
            finally:
                os.close(tfd)
            st = _lstat(dfd, name)
            if st is not None and stat.S_ISDIR(st.st_mode):
                raise UnsafePath(f"{shown}: a folder where a file belongs; not replaced")
            if st is not None and stat.S_ISLNK(st.st_mode):
                _note(notes, f"{shown}: a link (to {_link_target(dfd, name)}) was planted here; replaced by "
                             "a file, its target left alone")
            # A rename replaces a link at the destination itself: it never writes through it.
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            if durable:
                os.fsync(dfd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except OSError:
                pass
            raise
    except OSError as e:
        raise WriteError(shown, e) from e
    finally:
        os.close(dfd)
    return notes


# -- one run per results folder ---------------------------------------------------------
LOCK = ".lock"


class Locked(RuntimeError):
    """Another process holds a results folder's lock."""

    def __init__(self, path: Path, pid: int | None):
        self.path = path
        self.pid = pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"{path.parent} is in use by {who} (lock file {path}); wait for that run to end "
                         "or stop it, then try again")


class RunLock:
    """The lock of one results folder, held by this process until :meth:`release`."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        """Remove the lock file and let go; safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if os.path.samestat(os.fstat(fd), os.stat(self.path, follow_symlinks=False)):
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    def __enter__(self) -> "RunLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int, since: float) -> bool:
    """Whether *pid* still runs and is the process that wrote a lock at time *since* (not a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's: it exists
    try:
        import psutil

        p = psutil.Process(pid)
        return p.status() != psutil.STATUS_ZOMBIE and p.create_time() <= since + 1.0
    except Exception:
        return True


def lock(folder: str | os.PathLike) -> RunLock:
    """Take the lock of *folder* (``.lock``, holding this process's pid); raise :class:`Locked` if held.

    Held means: another process holds the file's ``flock`` (released by the
    kernel when it dies, however it dies), or the file names a live process
    that wrote it.  A lock left by a dead process is taken over.
    """
    import fcntl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    for _ in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o644)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise UnsafePath(f"{path}: a link; remove it to run in {folder}") from None
            raise
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Locked(path, _holder(fd)) from None
            except OSError:
                pass  # no flock here (some network file systems): the pid alone decides
            try:
                current = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
            except FileNotFoundError:
                current = False
            if not current:  # released and removed while we waited: lock the file now there
                os.close(fd)
                continue
            pid = _holder(fd)
            if pid and pid != os.getpid() and _alive(pid, os.fstat(fd).st_mtime):
                raise Locked(path, pid)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            os.fsync(fd)
            return RunLock(path, fd)
        except BaseException:
            os.close(fd)
            raise
    raise Locked(path, None)


# -- no worker outlives its parent ------------------------------------------------------
def die_with_parent(parent: int | None = None) -> None:
    """End this process when its parent ends, and now if the parent has already gone (Linux).

    Called first thing in a pool worker's initializer.  The kernel sends
    SIGKILL (``PR_SET_PDEATHSIG``) when the *thread* that started this process
    ends, so pools must spawn their workers from a thread that outlives them: the
    suite's do, in ``Pool.start`` on the thread that also closes them.  *parent*
    defaults to the pid of the multiprocessing parent; outside a multiprocessing
    child this does nothing.  If the parent died before the request was made,
    nothing would signal this process: it compares the pids and leaves.
    """
    if parent is None:
        import multiprocessing

        pp = multiprocessing.parent_process()
        if pp is None:
            return
        parent = pp.pid
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except Exception:
            pass
    if os.getppid() != parent:
        os._exit(1)
