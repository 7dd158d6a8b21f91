"""The distributed leg on an existing cluster, started here with Dask's own CLI on loopback.

Every scheduler and worker runs in its own session (process group); the fixtures kill
those groups when a test ends, also when it fails.  About a minute in all on 2 cores.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from runners.profiles import PROFILES

QUICK_ROUNDS = PROFILES["quick"].repeats  # one spec alone: no comparison to decide, the minimum of rounds

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")
FAST = "kernel-sleep-nogil"  # 10 tasks of 10 ms: about 0.1 s a repeat on 2 workers

# A plugin whose repeats last long enough (8 tasks x 0.3 s on 2 workers: ~1.2 s) to kill a worker mid-run.
SLOW_PLUGIN = '''
import time
import dask
from workloads import Workload


def _nap(i):
    time.sleep(0.3)
    return i


def build(size, seed):
    return [dask.delayed(_nap)(i) for i in range(size)]


slow = Workload(name="slow-naps", collection="delayed", claims=(), sizes={"quick": 8, "default": 8, "full": 8},
                build=build, check=lambda result, reference: list(result) == list(reference),
                description="naps, to kill a worker during")
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``dask scheduler`` plus ``dask worker`` processes, each in its own process group."""

    def __init__(self, tmp: Path, workers: int = 2, tls: dict[str, str] | None = None,
                 env: dict[str, str] | None = None):
        self.tmp, self.n, self.tls = tmp, workers, tls
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.address = f"{'tls' if tls else 'tcp'}://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        self.logs.append(log)
        with open(log, "wb") as f:
            p = subprocess.Popen([str(DASK), *args], stdout=f, stderr=subprocess.STDOUT, env=self.env,
                                 start_new_session=True, cwd=self.tmp)
        self.procs.append(p)
        return p

    def start(self, timeout: float = 45) -> "Cluster":
        tls = [a for k, v in (self.tls or {}).items() for a in (f"--tls-{k}", v)]
        t0 = time.monotonic()
        self._spawn("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                  "--dashboard-address", ":0", "--no-show",
                                  *(["--protocol", "tls"] if self.tls else []), *tls])
        self.workers = [
            self._spawn(f"worker{i}", ["worker", self.address, "--nthreads", "1", "--host", "127.0.0.1", *tls])
            for i in range(self.n)
        ]
        while time.monotonic() - t0 < timeout:
            if all("Registered to" in log.read_text(errors="replace") for log in self.logs[1:]):
                self.start_s = time.monotonic() - t0
                return self
            dead = [p.args[1] for p in self.procs if p.poll() is not None]
            assert not dead, f"{dead} exited early:\n{self.log_text()}"
            time.sleep(0.1)
        raise AssertionError(f"cluster not up within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.logs if p.exists())

    def worker_child(self, i: int = 0) -> int:
        """Pid of the Worker process that the nanny of worker *i* spawned."""
        import psutil

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for c in psutil.Process(self.workers[i].pid).children():
                if "spawn_main" in " ".join(c.cmdline()):
                    return c.pid
            time.sleep(0.1)
        raise AssertionError("no worker process under the nanny")

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            for p in self.procs:
                try:
                    os.killpg(p.pid, sig)  # the group: nanny and its worker process too
                except (ProcessLookupError, PermissionError):
                    pass
            deadline = time.monotonic() + wait
            for p in self.procs:
                try:
                    p.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
            if all(p.poll() is not None for p in self.procs):
                break


@pytest.fixture
def make_cluster(tmp_path):
    """Factory for clusters; every one started is torn down at the end, pass or fail."""
    started: list[Cluster] = []

    def make(**kw) -> Cluster:
        c = Cluster(tmp_path, **kw)
        started.append(c)
        return c.start()

    yield make
    for c in started:
        c.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A plain 2 x 1 tcp cluster shared by the tests that leave it as they found it."""
    c = Cluster(tmp_path_factory.mktemp("cluster"), workers=2)
    try:
        yield c.start()
    finally:
        c.stop()


def suite(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runners.all", "--profile", "quick", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def run_dir(out: Path) -> Path:
    (d,) = [p for p in out.iterdir() if (p / "meta.json").exists()]
    return d


def rows(d: Path) -> list[dict]:
    return [json.loads(line) for line in (d / "rows.jsonl").read_text().splitlines() if line.strip()]


def kept(d: Path) -> list[dict]:
    """The rows that count: an ok repeat of a round the interference watch left out as a burst (and measured
    again) is stored but not counted; a failure always counts."""
    f = d / "interference.jsonl"
    burst = {(w, k) for line in (f.read_text().splitlines() if f.exists() else []) if line.strip()
             for x in [json.loads(line)] if x.get("rerun") for w, k in x.get("items") or []}
    return [x for x in rows(d)
            if x["status"] != "ok" or (x["workload"], f"{x.get('session', 0)}:{x['round']}") not in burst]


def test_cluster_run_records_rows_and_metadata(cluster, tmp_path):
    c = cluster
    out = tmp_path / "out"
    r = suite("--schedulers", f"distributed@{c.address}", "--workloads", FAST, "--out", str(out))
    assert r.returncode == 0, r.stderr
    d = run_dir(out)
    label = f"distributed@{c.address}-2x1"
    # the cluster's workers run outside the suite's process tree: a round may read as a burst, measured again
    got = [x for x in kept(d) if x["workload"] == FAST]
    assert [x["repeat"] for x in got] == list(range(QUICK_ROUNDS))  # one spec: the minimum of rounds
    assert {x["scheduler"] for x in got} == {label}
    assert all(x["status"] == "ok" for x in got), got
    # The same instruments as on a LocalCluster: GIL per worker, bytes, CPU, task streams, report.
    assert all(len(x["gil"]) == 2 and x["gil_median"] is not None for x in got)
    assert all(x["bytes_moved"] is not None and x["cpu_s"] is not None for x in got)
    assert all(x["ntasks_captured"] and x["ntasks_captured"] >= 10 for x in got)
    assert all(not x.get("extra") for x in got)  # no worker came or went
    assert list((d / "tasks").glob("*.jsonl")) and list((d / "perf").glob("*.html"))
    meta = json.loads((d / "meta.json").read_text())
    assert meta["address"] == c.address
    cl = meta["cluster"]
    assert cl["address"] == c.address and cl["workers"] == 2
    assert set(cl["threads"].values()) == {1} and all(v > 0 for v in cl["memory_limit"].values())
    assert cl["scheduler_packages"]["distributed"] and len(cl["worker_packages"]) == 2
    assert cl["version_mismatch"] == {} and cl["suite_missing_on"] == []
    assert meta["specs"] == [f"distributed@{c.address}"]  # only the cluster: nothing local ran
    startup = [json.loads(x) for x in (d / "startup.jsonl").read_text().splitlines()]
    assert [s["scheduler"] for s in startup] == [label]


def test_cluster_unreachable_is_one_line_exit_2(tmp_path):
    out = tmp_path / "x"
    t0 = time.monotonic()
    r = suite("--address", f"tcp://127.0.0.1:{free_port()}", "--out", str(out), timeout=60)
    took = time.monotonic() - t0
    assert r.returncode == 2
    assert r.stderr.startswith("ERROR: ") and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not out.exists()  # nothing written
    from runners.schedulers.distributed import CONNECT_TIMEOUT_S

    assert took < CONNECT_TIMEOUT_S + 20


def test_version_mismatch_is_reported(cluster, monkeypatch):
    """A client whose numpy differs from the cluster's: recorded, and named package by package."""
    import distributed.versions as dv

    from runners.cluster import cluster_versions as _cluster_versions

    c = cluster
    real = dv.get_versions

    def fake(packages=None):
        v = real(packages)
        v["packages"] = {**v["packages"], "numpy": "0.0.1"}
        return v

    monkeypatch.setattr(dv, "get_versions", fake)
    info = _cluster_versions(c.address)
    assert info["version_mismatch"]["numpy"]["client"] == "0.0.1"
    assert any("Mismatched versions" in w for w in info["version_warnings"])
    assert info["workers"] == 2 and info["suite_missing_on"] == []


@pytest.mark.parametrize("allowed_failures", [3, 0], ids=["retried", "killed-worker-error"])
def test_worker_killed_mid_run_is_recorded_and_run_goes_on(make_cluster, tmp_path, allowed_failures):
    """SIGKILL one Worker process (its nanny restarts it) during the second timed repeat.

    With Dask's default ``allowed-failures`` the lost task is retried and the row records the
    lost and joined workers; with 0 the repeat fails with KilledWorker, recorded as an error
    (the loop then moves on to the next workload, which runs on the surviving workers).
    """
    env = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures)}
    c = make_cluster(workers=2, env=env)
    plugin = tmp_path / "slow_naps.py"
    plugin.write_text(SLOW_PLUGIN)
    out = tmp_path / "out"
    victim = c.worker_child(0)
    # The worker's death is the subject, not interference: another pytest worker's load once made round 0
    # a burst, measured again, and the killed repeat came out as repeat 0 (a fresh clone's make test).
    p = subprocess.Popen([sys.executable, "-c", _NO_BURSTS, "--profile", "quick", "--schedulers",
                          f"distributed@{c.address}", "--workloads", f"{plugin},{FAST}", "--out", str(out)],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait for repeat 0's row, then kill during repeat 1
            done = list(out.glob("*/rows.jsonl"))
            if done and done[0].read_text().strip():
                break
            assert p.poll() is None, p.communicate()
            time.sleep(0.05)
        time.sleep(0.4)
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = p.communicate(timeout=90)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    assert p.returncode == 0, stderr
    # The worker's restart (CPU outside the suite's process tree) may show as a burst: such rounds are measured
    # again, their rows kept in rows.jsonl but not counted (kept()).
    every = kept(run_dir(out))
    got = [x for x in every if x["workload"] == "slow-naps"]
    after = [x for x in every if x["workload"] == FAST]
    assert [x["status"] for x in after] == ["ok"] * QUICK_ROUNDS, after  # the run carried on
    hit = next(x for x in rows(run_dir(out)) if x["workload"] == "slow-naps" and x["repeat"] == 1)
    if allowed_failures:
        assert [x["repeat"] for x in got] == list(range(QUICK_ROUNDS)), got  # a row for every repeat: none lost
        assert all(x["status"] == "ok" for x in got), got
        assert hit["extra"]["workers_lost"], hit  # (its replacement may join after the repeat)
    else:
        assert [(x["repeat"], x["status"]) for x in got] == [(0, "ok"), (1, "error")], got
        assert hit["error_type"] == "KilledWorker" and "died" in hit["error"], hit
        assert "workers lost during the repeat" in hit["traceback"], hit["traceback"]


# python -m runners.all with no round left out as a burst of interference (argv follows the -c script)
_NO_BURSTS = ("import runpy, sys, runners.interference as i; i.BURST_CORES = float('inf'); "
              "sys.argv[0] = 'runners.all'; runpy.run_module('runners.all', run_name='__main__')")


def _make_certs(d: Path) -> dict[str, str]:
    """A throw-away CA and one certificate (127.0.0.1, localhost) for every node, made with openssl."""
    def ssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=suite-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "node.key", "-out", "node.csr", "-subj", "/CN=localhost")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                               "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n")
    ssl("x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "node.pem", "-days", "2", "-extfile", "ext.cnf")
    return {"ca-file": str(d / "ca.pem"), "cert": str(d / "node.pem"), "key": str(d / "node.key")}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")
def test_tls_cluster_by_flags_and_by_dask_config(make_cluster, tmp_path):
    certs = _make_certs(tmp_path)
    c = make_cluster(workers=1, tls=certs)
    assert c.address.startswith("tls://")
    out = tmp_path / "out"
    r = suite("--schedulers", f"distributed@{c.address}", "--workloads", FAST, "--out", str(out),
              "--tls-ca-file", certs["ca-file"], "--tls-cert", certs["cert"], "--tls-key", certs["key"])
    assert r.returncode == 0, r.stderr
    d = run_dir(out)
    got = kept(d)  # (a round that read as a burst is measured again: its rows are stored, not counted)
    assert len(got) == QUICK_ROUNDS and all(x["status"] == "ok" and x["scheduler"] == f"distributed@{c.address}-1x1"
                                 for x in got), [(x["status"], x["scheduler"], x["error"][:300]) for x in got]
    assert json.loads((d / "meta.json").read_text())["cluster"]["workers"] == 1
    # No flags: Dask's own config (here from the environment) supplies the certificates.
    env = {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": certs["ca-file"],
           "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": certs["cert"],
           "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": certs["key"]}
    probe = (f"from runners.cluster import check_address, cluster_versions; check_address({c.address!r}); "
             f"print(cluster_versions({c.address!r})['workers'])")
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={**os.environ, **env})
    assert r.returncode == 0 and r.stdout.strip() == "1", r.stderr
    # Neither: a one-line error, exit 2.
    r = suite("--address", c.address, "--out", str(tmp_path / "none"), timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
