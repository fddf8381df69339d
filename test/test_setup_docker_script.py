"""scripts/setup_docker.sh removes the pid files a killed daemon left behind, and only those.

A CI run on a machine reused after a session once failed: containerd's pid file named a pid that another process had
since been given, so dockerd waited for a containerd that was not there.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "setup_docker.sh"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or sys.platform != "linux", reason="needs bash and /proc")


def _clear(pidfiles: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "AUTOGEN_DOCKER_PIDFILES": pidfiles}
    return subprocess.run(
        ["bash", str(SCRIPT), "--clear-stale-pidfiles"], env=env, capture_output=True, text=True, timeout=60
    )


def test_only_pid_files_naming_the_wrong_process_are_removed(tmp_path: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        # a live process, but not the daemon the file is for: the case that broke CI
        reused = tmp_path / "containerd.pid"
        reused.write_text(str(sleeper.pid))  # no newline, as containerd writes it
        # the daemon the file names is running: kept
        alive = tmp_path / "sleep.pid"
        alive.write_text(f"{sleeper.pid}\n")
        # a pid nobody has, and a file with no pid at all
        gone = tmp_path / "dockerd.pid"
        gone.write_text("99999999")
        empty = tmp_path / "empty.pid"
        empty.write_text("")
        done = _clear(f"{reused}:containerd {alive}:sleep {gone}:dockerd {empty}:dockerd {tmp_path / 'absent.pid'}:x")
        assert done.returncode == 0, done.stderr
        assert not reused.exists() and not gone.exists() and not empty.exists()
        assert alive.read_text() == f"{sleeper.pid}\n"
        assert f"removing stale {reused} (pid {sleeper.pid} is not a running containerd)" in done.stderr
    finally:
        sleeper.kill()
        sleeper.wait()
