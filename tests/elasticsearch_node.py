"""A real single-node Elasticsearch for the test suite, from Maven Central's integ-test-zip artifact.

``python -m tests.elasticsearch_node fetch`` downloads and unpacks it once (scripts/fetch_elasticsearch.sh calls this);
``python -m tests.elasticsearch_node`` starts a node, prints its URL and stops on Ctrl-C or SIGTERM; tests use
``start_node()`` or the ``elasticsearch_node`` fixture (one node per test process, stopped at exit).

The artifact carries the server, the Netty transport, x-pack-core and x-pack-security only: the ``standard`` and
``whitespace`` analyzers exist, ``GET /`` does not (so the client's ``info()``/``ping()`` fail; use cluster
health), nor Painless or reindex. It has no bundled JDK: it runs on the system Java 17. Elasticsearch refuses to
run as root, so under root the node runs as an unprivileged user (``ES_TEST_USER``, default ``nobody``).

Environment (not ``HERITAGE_*``: the archive rejects unknown settings with that prefix):
``ES_TEST_CACHE_DIR`` where versions are unpacked (default ``~/.cache/heritage``, or ``/var/cache/heritage`` for
root so the unprivileged user can read it), ``ES_TEST_USER``, ``ES_JAVA_HOME`` (default: the ``java`` on PATH).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.servers import free_port, one_per_process, unprivileged

ES_VERSION = "8.19.21"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
HEAP = "512m"
START_TIMEOUT = 180.0  # seconds; the machines have 2 shared cores
LOG_TAIL_LINES = 40


class ElasticsearchError(RuntimeError):
    """The node could not be fetched or started; the message says why (with the log tail for a failed start)."""


def cache_dir() -> Path:
    if "ES_TEST_CACHE_DIR" in os.environ:
        return Path(os.environ["ES_TEST_CACHE_DIR"])
    if os.geteuid() == 0:
        return Path("/var/cache/heritage")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "heritage"


def install_dir() -> Path:
    return cache_dir() / f"elasticsearch-{ES_VERSION}"


def _unzip(archive: Path, target: Path) -> None:
    """Unpack keeping the executable bits (zipfile drops them) and making everything world-readable."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            path.chmod(0o755 if info.is_dir() or mode & 0o111 else 0o644)


def fetch() -> Path:
    """Download the artifact with Maven and unpack it into the cache; does nothing when already there."""
    home = install_dir()
    if (home / "bin" / "elasticsearch").is_file():
        return home
    if shutil.which("mvn") is None:
        raise ElasticsearchError("fetching Elasticsearch needs Maven and Java 17: "
                                 "apt-get install maven openjdk-17-jre-headless")
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".fetch-") as tmp:
        result = subprocess.run(
            ["mvn", "-B", "-q", f"{DEPENDENCY_PLUGIN}:copy", f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={tmp}"],
            capture_output=True, text=True)
        archive = Path(tmp) / f"elasticsearch-{ES_VERSION}.zip"
        if result.returncode != 0 or not archive.is_file():
            raise ElasticsearchError(f"mvn could not fetch {ARTIFACT} (exit {result.returncode}):\n"
                                     f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
        _unzip(archive, Path(tmp) / "unpacked")
        unpacked = Path(tmp) / "unpacked" / f"elasticsearch-{ES_VERSION}"
        unpacked.chmod(0o755)
        try:
            unpacked.rename(home)
        except OSError:
            if not (home / "bin" / "elasticsearch").is_file():  # not a concurrent fetch that won the race
                raise
    return home


def java_home() -> Path:
    if "ES_JAVA_HOME" in os.environ:
        return Path(os.environ["ES_JAVA_HOME"])
    java = shutil.which("java")
    if java is None:
        raise ElasticsearchError("Elasticsearch needs Java 17: apt-get install openjdk-17-jre-headless "
                                 "(or set ES_JAVA_HOME)")
    return Path(java).resolve().parent.parent


def _check_readable_by_others(home: Path) -> None:
    for path in [home, *home.parents]:
        if not path.stat().st_mode & stat.S_IXOTH:
            raise ElasticsearchError(
                f"{path} is not open to other users, so the unprivileged node user cannot read {home} "
                "(Elasticsearch refuses to run as root): set ES_TEST_CACHE_DIR to a world-readable directory "
                "and run scripts/fetch_elasticsearch.sh again")


class Node:
    """A running node; a context manager that stops it and removes its data on exit."""

    def __init__(self, url: str, process: subprocess.Popen, workdir: Path):
        self.url = url
        self.process = process
        self.workdir = workdir

    @property
    def console_log(self) -> Path:
        return self.workdir / "console.log"

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The error lines of the node's output (the cause sits above long stack traces), then its last lines."""
        if not self.console_log.exists():
            return "(no output)"
        output = self.console_log.read_text(errors="replace").splitlines()
        errors = [line for line in output if "][ERROR]" in line or "][FATAL]" in line or line.startswith("ERROR:")]
        return "\n".join([*errors[:10], "...", *output[-lines:]])

    def health(self, timeout: float = 5.0) -> dict:
        with urllib.request.urlopen(f"{self.url}/_cluster/health", timeout=timeout) as response:
            return json.load(response)

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM the launcher and the server JVM (one process group), SIGKILL what is left after ``timeout``."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        _wait_group_gone(self.process.pid, timeout)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process is left in the process group; an orphaned zombie may never be reaped."""
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, pgrp = stat_file.read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:
            continue  # the process ended while we looked
        if int(pgrp) == pgid and state != "Z":
            return True
    return False


def _wait_group_gone(pgid: int, timeout: float) -> None:
    """Wait for the server JVM, which may outlive the launcher by a moment; SIGKILL it if it lingers."""
    deadline = time.monotonic() + timeout
    while group_alive(pgid):
        if time.monotonic() > deadline:
            os.killpg(pgid, signal.SIGKILL)
        time.sleep(0.1)


def _settings(port: int, transport_port: int, workdir: Path, home: Path) -> list[str]:
    settings = {
        "cluster.name": f"heritage-test-{port}",
        "node.name": "heritage-test",
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": port,
        "transport.port": transport_port,
        "path.data": workdir / "data",
        "path.logs": workdir / "logs",
        "cluster.routing.allocation.disk.threshold_enabled": "false",
    }
    # An unknown setting aborts start-up, so security is only switched off where the module exists.
    if (home / "modules" / "x-pack-security").is_dir():
        settings["xpack.security.enabled"] = "false"
    return [f"-E{key}={value}" for key, value in settings.items()]


def start_node(port: int | None = None, timeout: float = START_TIMEOUT) -> Node:
    """Start a node on 127.0.0.1 (a free port unless given) with its data in a temp dir; wait until it is healthy."""
    home = install_dir()
    if not (home / "bin" / "elasticsearch").is_file():
        raise ElasticsearchError(f"Elasticsearch {ES_VERSION} is not installed in {home}: "
                                 "run scripts/fetch_elasticsearch.sh")
    user = unprivileged("ES_TEST_USER", "nobody", ElasticsearchError, "Elasticsearch")
    if user is not None:
        _check_readable_by_others(home)
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="heritage-es-"))
    shutil.copytree(home / "config", workdir / "config")
    for sub in ("data", "logs", "tmp"):
        (workdir / sub).mkdir()
    if user is not None:
        for path in [workdir, *workdir.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
    env = {key: value for key, value in os.environ.items() if not key.startswith("ES_")}
    env.update(ES_JAVA_HOME=str(java_home()), ES_PATH_CONF=str(workdir / "config"), ES_TMPDIR=str(workdir / "tmp"),
               ES_JAVA_OPTS=f"-Xms{HEAP} -Xmx{HEAP}")
    with open(workdir / "console.log", "wb") as console:
        process = subprocess.Popen(
            [str(home / "bin" / "elasticsearch"), *_settings(port, free_port(), workdir, home)],
            cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches the server JVM too
            user=user.pw_uid if user else None, group=user.pw_gid if user else None,
            extra_groups=[] if user else None)
    node = Node(f"http://127.0.0.1:{port}", process, workdir)
    try:
        _wait_healthy(node, timeout)
    except ElasticsearchError as exc:
        tail = node.log_tail()
        node.stop()
        raise ElasticsearchError(f"{exc} ({home})\n--- errors and last lines of its output ---\n{tail}") from None
    except BaseException:
        node.stop()
        raise
    return node


def _wait_healthy(node: Node, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise ElasticsearchError(f"Elasticsearch exited with status {node.process.returncode} while starting")
        try:
            if node.health(timeout=2.0)["status"] in ("green", "yellow"):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet
        time.sleep(0.25)
    raise ElasticsearchError(f"Elasticsearch at {node.url} was not healthy within {timeout:.0f}s")


shared_node = one_per_process(start_node)  # one node per process, however many modules ask for it


@pytest.fixture(scope="session")
def elasticsearch_node() -> Node:
    """The shared node; import this fixture into a test module (or list this module in ``pytest_plugins``)."""
    return shared_node()


def main(argv: list[str]) -> int:
    if argv == ["fetch"]:
        print(fetch())
        return 0
    if argv:
        print("usage: python -m tests.elasticsearch_node [fetch]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops the node like Ctrl-C
    started = time.monotonic()
    with start_node() as node:
        print(f"{node.url}  (Elasticsearch {ES_VERSION}, healthy after {time.monotonic() - started:.1f}s; "
              f"Ctrl-C stops it)", flush=True)
        try:
            node.process.wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)
            return 0
        print(f"Elasticsearch exited by itself:\n{node.log_tail()}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
