"""Safe writes, the run's lock and workers that end with their parent (runners/records/files.py).

A file is created afresh inside its folder: planted links are replaced, never written
through, and paths out of the folder are refused; a write the system refuses is named;
one process at a time holds a folder's lock, and a dead holder's lock is taken over; a
pool worker leaves when its parent has gone.
"""
from __future__ import annotations

import errno
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _cli import ROOT
from runners.records import files


@pytest.fixture
def run(tmp_path) -> Path:
    folder = tmp_path / "run"
    folder.mkdir()
    return folder


@pytest.fixture
def plant(tmp_path):
    """``plant(link)``: a link at *link* to a fresh victim file outside the run; returns the victim."""
    victims = tmp_path / "victims"
    victims.mkdir()

    def plant_at(link: Path) -> Path:
        victim = victims / f"{link.name}.victim"
        victim.write_text(f"victim of {link.name}\n")
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(victim)
        return victim

    return plant_at


# -- files are created afresh: no link is followed -------------------------------------------


def test_write_file_safely_never_writes_through_a_link(run, plant):
    final, tmp = plant(run / "out.txt"), plant(run / "out.txt.tmp")
    notes = files.write_file_safely(run, "out.txt", "fresh")
    assert final.read_text() == "victim of out.txt\n" and tmp.read_text() == "victim of out.txt.tmp\n"
    assert not (run / "out.txt").is_symlink() and (run / "out.txt").read_text() == "fresh"
    assert not (run / "out.txt.tmp").exists() and not (run / "out.txt.tmp").is_symlink()
    assert len(notes) == 2 and any("out.txt.tmp" in n for n in notes)


def test_what_was_refused_is_said_on_stderr(run, plant, capsys):
    plant(run / "page.html")
    notes = files.write_file_safely(run, "page.html", "<p>")
    err = capsys.readouterr().err
    assert err.startswith("WARNING: ") and notes[0] in err and "page.html" in err


def test_write_file_safely_refuses_paths_outside_the_folder(run, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (run / "streams").symlink_to(outside)
    for rel in ("../x.txt", str(tmp_path / "abs.txt"), "streams/page.html", "a/../../x.txt", "", "."):
        with pytest.raises(files.UnsafePath):
            files.write_file_safely(run, rel, "data")
    assert not list(outside.iterdir()) and not (tmp_path / "x.txt").exists() and not (tmp_path / "abs.txt").exists()


def test_write_file_safely_makes_folders_and_writes_bytes(tmp_path):
    files.write_file_safely(tmp_path, "a/b/c.bin", b"\x00\x01")
    assert (tmp_path / "a" / "b" / "c.bin").read_bytes() == b"\x00\x01"
    files.write_file_safely(tmp_path, "a/b/c.bin", b"\x02")  # replaced, not appended
    assert (tmp_path / "a" / "b" / "c.bin").read_bytes() == b"\x02"
    assert files.write_file_safely(tmp_path, "./a/d.txt", "x", durable=True) == []
    assert (tmp_path / "a" / "d.txt").read_text() == "x"


def test_a_trusted_folder_may_itself_be_a_link(tmp_path):
    real = tmp_path / "disk"
    real.mkdir()
    (tmp_path / "results").symlink_to(real)
    files.write_file_safely(tmp_path / "results", "meta.json", "{}")
    assert (real / "meta.json").read_text() == "{}"


def test_a_leftover_tmp_of_a_crash_is_removed_quietly(run):
    (run / "out.txt.tmp").write_text("half a write")
    assert files.write_file_safely(run, "out.txt", "whole") == []
    assert (run / "out.txt").read_text() == "whole" and not (run / "out.txt.tmp").exists()


def test_folders_in_the_way_are_refused(run):
    (run / "out.txt").mkdir()
    with pytest.raises(files.UnsafePath, match="a folder where a file belongs"):
        files.write_file_safely(run, "out.txt", "x")
    assert not (run / "out.txt.tmp").exists()
    (run / "busy.txt.tmp").mkdir()
    with pytest.raises(files.UnsafePath, match="in the way"):
        files.write_file_safely(run, "busy.txt", "x")
    (run / "plain").write_text("a file")
    with pytest.raises(files.UnsafePath, match="a link or a file where a folder belongs"):
        files.write_file_safely(run, "plain/x.txt", "x")


# -- a write the system refuses is named -----------------------------------------------------


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "disk full (No space left on device)"),
                                             (errno.EROFS, "read-only file system"),
                                             (errno.EIO, os.strerror(errno.EIO))])
def test_describe_says_what_an_os_error_means(code, words):
    assert files.describe(OSError(code, os.strerror(code))).startswith(words)


def test_write_error_names_the_file_and_keeps_the_old_one(run, monkeypatch):
    files.write_file_safely(run, "summary.json", "old")

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "write_all", full)
    with pytest.raises(files.WriteError) as e:
        files.write_file_safely(run, "summary.json", "new")
    assert e.value.errno == errno.ENOSPC and e.value.path == str(run / "summary.json")
    assert str(e.value) == f"cannot write {run / 'summary.json'}: disk full (No space left on device)"
    assert (run / "summary.json").read_text() == "old" and not (run / "summary.json.tmp").exists()


def test_write_all_writes_everything(tmp_path):
    data = os.urandom(1 << 20)
    fd = os.open(tmp_path / "big", os.O_WRONLY | os.O_CREAT)
    try:
        files.write_all(fd, data)
    finally:
        os.close(fd)
    assert (tmp_path / "big").read_bytes() == data


# -- one run per results folder ----------------------------------------------------------


def test_lock_refuses_a_second_holder_and_names_it(tmp_path):
    held = files.lock(tmp_path)
    try:
        with pytest.raises(files.Locked) as e:
            files.lock(tmp_path)
        assert e.value.pid == os.getpid() and str(os.getpid()) in str(e.value)
        other = subprocess.run([sys.executable, "-c", f"from runners import records; records.lock({str(tmp_path)!r})"],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert other.returncode != 0 and "Locked" in other.stderr and str(os.getpid()) in other.stderr
    finally:
        held.release()
    assert not (tmp_path / files.LOCK).exists()
    files.lock(tmp_path).release()  # free again


def test_lock_is_a_context_manager_released_once(tmp_path):
    with files.lock(tmp_path) as held:
        assert (tmp_path / files.LOCK).read_text() == f"{os.getpid()}\n"
    assert not (tmp_path / files.LOCK).exists()
    held.release()  # twice: nothing to do
    with files.lock(tmp_path):
        pass


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / files.LOCK).write_text(f"{dead.pid}\n")
    held = files.lock(tmp_path)
    try:
        assert (tmp_path / files.LOCK).read_text().split()[0] == str(os.getpid())
    finally:
        held.release()


def test_lock_file_naming_a_live_process_is_respected(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / files.LOCK).write_text(f"{sleeper.pid}\n")
        with pytest.raises(files.Locked) as e:
            files.lock(tmp_path)
        assert e.value.pid == sleeper.pid
    finally:
        sleeper.kill()
        sleeper.wait()


def test_lock_written_before_its_pid_was_reused_is_taken_over(tmp_path):
    pytest.importorskip("psutil")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_file = tmp_path / files.LOCK
        lock_file.write_text(f"{sleeper.pid}\n")
        an_hour_ago = time.time() - 3600
        os.utime(lock_file, (an_hour_ago, an_hour_ago))  # written long before that process started
        with files.lock(tmp_path):
            assert lock_file.read_text().split()[0] == str(os.getpid())
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_linked_lock_file_is_refused(tmp_path, plant):
    victim = plant(tmp_path / "run" / files.LOCK)
    with pytest.raises(files.UnsafePath, match="a link"):
        files.lock(tmp_path / "run")
    assert victim.read_text() == f"victim of {files.LOCK}\n"


# -- a killed parent takes its workers along -----------------------------------------------


def test_die_with_parent_exits_when_the_parent_is_already_gone():
    code = ("import os\nfrom runners.records import die_with_parent\n"
            "die_with_parent(parent=os.getppid() + 100000)\nprint('still alive')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "still alive" not in r.stdout and "Traceback" not in r.stderr


def test_die_with_parent_keeps_a_child_of_a_live_parent():
    code = ("import os\nfrom runners.records import die_with_parent\n"
            "die_with_parent(parent=os.getppid())\nprint('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "ok" in r.stdout


def test_die_with_parent_does_nothing_outside_a_multiprocessing_child():
    assert multiprocessing.parent_process() is None  # this test process is no pool worker
    assert files.die_with_parent() is None  # returned: still here
