"""Where a trial runs: in a fresh Docker container (the default) or natively, on this machine, without isolation.

Either way the trial folder is the working directory, ``python agbench.py`` is the command, and its output is the
trial's ``console_log.txt``.

How autogen gets into the container: nothing is installed there. The installed ``autogen`` package folder and this
interpreter's site-packages folders (which hold openai, pydantic, ... with their compiled parts) are mounted read-only
under ``/agbench`` and put on ``PYTHONPATH``. This works offline and needs no image of our own, as long as the
image's Python has the same minor version as this one and the same platform (compiled wheels such as pydantic_core
are specific to both); :func:`preflight` checks that once per run. ``--no-host-packages`` turns the mounts off, for
images that bring autogen themselves.
"""

from __future__ import annotations

import logging
import os
import platform
import site
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .agbench import stop_process_group
from .errors import BenchError
from .results import CONSOLE_LOG_FILE
from .tasks import RUNTIME_FILE

__all__ = ["Isolation", "preflight", "run_isolated", "stop_all", "cancelled", "reset_cancel", "DEFAULT_IMAGE"]

logger = logging.getLogger(__name__)

DEFAULT_IMAGE = "python:3-slim"
CONSOLE_LOG = CONSOLE_LOG_FILE
CONTAINER_FOLDER = "/workspace"
MOUNT_ROOT = "/agbench"
TIMEOUT_EXIT_CODE = 124
# agbench.py enforces the time limit itself; the host steps in only this many seconds later.
_HOST_GRACE_SECONDS = 30
EXIT_CODE_FILE = ".agbench_exit_code"
# The exit code also goes to a file: containers remove themselves when they end (so that none is left behind even
# when autogenbench itself is killed), and one that ends at once may be gone before Docker is asked how it ended.
_SHELL_COMMAND = (
    f'PY="$(command -v python3 || command -v python)"; "$PY" {RUNTIME_FILE} > {CONSOLE_LOG} 2>&1; '
    f'code=$?; echo "$code" > {EXIT_CODE_FILE}; exit "$code"'
)

_lock = threading.Lock()
_running: dict[int, Callable[[], None]] = {}
_cancel = threading.Event()


@dataclass(frozen=True)
class Isolation:
    """How trials run. Plain data, so that it can be sent to Ray workers."""

    mode: str = "docker"  # "docker" or "native"
    image: str = DEFAULT_IMAGE
    timeout: float = 600.0
    host_packages: bool = True  # mount this interpreter's autogen and site-packages into the container

    def describe(self) -> dict[str, Any]:
        if self.mode == "native":
            return {"mode": "native", "python": sys.executable}
        return {"mode": "docker", "image": self.image, "host_packages": self.host_packages}


# ----------------------------------------------------------------------------------------------------------------
# stopping everything on Ctrl-C


def _register(stop: Callable[[], None]) -> int:
    with _lock:
        token = id(stop)
        _running[token] = stop
    if _cancel.is_set():  # started just as the run was being stopped
        stop()
    return token


def _unregister(token: int) -> None:
    with _lock:
        _running.pop(token, None)


def stop_all() -> None:
    """Stop every container and process started by this process's trials (used on Ctrl-C)."""
    _cancel.set()
    with _lock:
        stops = list(_running.values())
    for stop in stops:
        try:
            stop()
        except Exception:  # best effort: the container or process may be gone already
            pass


def cancelled() -> bool:
    return _cancel.is_set()


def reset_cancel() -> None:
    _cancel.clear()


# ----------------------------------------------------------------------------------------------------------------
# Docker


def _docker_client() -> Any:
    try:
        import docker
    except ImportError as exc:  # a dependency of autogenbench; only a broken install lacks it
        raise BenchError("The docker Python package is missing: pip install docker (or use --native).") from exc
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as exc:
        raise BenchError(
            f"Cannot reach the Docker daemon ({exc}). AutoGenBench runs every trial in a fresh container by default: "
            "start Docker (e.g. `sudo dockerd &`; in the AutoGen repository `bash scripts/setup_docker.sh` starts it "
            "and builds the python:3-slim image offline), or run without isolation with --native."
        ) from exc
    return client


def host_python_mounts() -> tuple[dict[str, dict[str, str]], list[str]]:
    """The read-only mounts that bring this interpreter's autogen and site-packages into a container."""
    import autogen

    volumes: dict[str, dict[str, str]] = {}
    pythonpath: list[str] = []
    package = Path(autogen.__file__).resolve().parent
    volumes[str(package)] = {"bind": f"{MOUNT_ROOT}/autogen/autogen", "mode": "ro"}
    pythonpath.append(f"{MOUNT_ROOT}/autogen")
    folders: list[str] = []
    candidates = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        candidates.append(site.getusersitepackages())
    for candidate in candidates:
        path = str(Path(candidate).resolve())
        if Path(path).is_dir() and path not in folders and path not in volumes:
            folders.append(path)
    for index, folder in enumerate(folders):
        volumes[folder] = {"bind": f"{MOUNT_ROOT}/site/{index}", "mode": "ro"}
        pythonpath.append(f"{MOUNT_ROOT}/site/{index}")
    return volumes, pythonpath


def preflight(isolation: Isolation) -> None:
    """Fail early, with what to do, when trials cannot run as configured (daemon down, image missing, ...)."""
    if isolation.mode == "native":
        return
    import docker

    client = _docker_client()
    try:
        try:
            client.images.get(isolation.image)
        except docker.errors.ImageNotFound:
            raise BenchError(
                f"The Docker image {isolation.image!r} is not present locally, and autogenbench does not pull images. "
                f"Build or load it first (docker build / docker load / docker pull {isolation.image}; in the AutoGen "
                "repository `bash scripts/setup_docker.sh` builds python:3-slim offline), name another image with "
                "--docker-image, or run without isolation with --native."
            ) from None
        if not isolation.host_packages:
            return
        if platform.system() != "Linux":
            raise BenchError(
                "Mounting this machine's Python packages into Linux containers works only on a Linux host. Use an "
                "image that has autogen installed and pass --no-host-packages, or run with --native."
            )
        probe = (
            "import sys, platform; print('%d.%d %s' % (sys.version_info[0], sys.version_info[1], platform.machine()))"
        )
        try:
            output = client.containers.run(
                isolation.image, ["sh", "-c", f'"$(command -v python3 || command -v python)" -c "{probe}"'], remove=True
            )
        except docker.errors.ContainerError as exc:
            raise BenchError(
                f"The image {isolation.image!r} has no working Python ({exc}); AutoGenBench runs agbench.py with it."
            ) from exc
        found = output.decode("utf-8", errors="replace").strip().split()
        wanted = [f"{sys.version_info[0]}.{sys.version_info[1]}", platform.machine()]
        if found != wanted:
            raise BenchError(
                f"The image {isolation.image!r} has Python {' '.join(found)}, this machine runs Python "
                f"{' '.join(wanted)}. AutoGenBench mounts this interpreter's autogen and site-packages into the "
                "container, and their compiled parts need the same Python version and machine. Use an image with "
                f"Python {wanted[0]}, run autogenbench with a Python of the image's version, use an image that has "
                "autogen installed with --no-host-packages, or run with --native."
            )
    finally:
        client.close()


def _recorded_exit_code(folder: Path) -> int:
    try:
        return int((folder / EXIT_CODE_FILE).read_text().strip())
    except (OSError, ValueError):
        return 1


def _run_docker(folder: Path, isolation: Isolation, env: dict[str, str]) -> tuple[int, bool]:
    import docker

    client = _docker_client()
    environment = dict(env)
    volumes: dict[str, dict[str, str]] = {str(folder.resolve()): {"bind": CONTAINER_FOLDER, "mode": "rw"}}
    if isolation.host_packages:
        mounts, pythonpath = host_python_mounts()
        volumes.update(mounts)
        environment["PYTHONPATH"] = ":".join(pythonpath)
    user = None
    if hasattr(os, "getuid") and os.getuid() != 0:
        user = f"{os.getuid()}:{os.getgid()}"  # files in the results folder stay the user's
        environment.setdefault("HOME", "/tmp")
    try:
        container = client.containers.run(
            isolation.image,
            ["sh", "-c", _SHELL_COMMAND],
            name=f"autogenbench-{uuid.uuid4().hex[:12]}",
            detach=True,
            network_mode="host",  # the scenario reaches model servers on this machine's 127.0.0.1
            working_dir=CONTAINER_FOLDER,
            volumes=volumes,
            environment=environment,
            user=user,
            labels={"org.autogen.autogenbench": "trial", "org.autogen.autogenbench.folder": str(folder.resolve())},
            auto_remove=True,
        )
    except docker.errors.ImageNotFound as exc:
        client.close()
        raise BenchError(f"The Docker image {isolation.image!r} is not present locally (use --docker-image).") from exc
    except Exception:
        client.close()
        raise
    token = _register(lambda: container.kill())
    limit = isolation.timeout + _HOST_GRACE_SECONDS
    started = time.monotonic()
    try:
        try:
            status = container.wait(timeout=limit)
            code = int(status.get("StatusCode", 1))
        except docker.errors.NotFound:  # it ended and removed itself before we asked
            code = _recorded_exit_code(folder)
        except Exception:  # requests raises ReadTimeout or ConnectionError when the wait times out
            if time.monotonic() - started < limit:
                raise
            try:
                container.kill()
            except docker.errors.APIError:  # it ended meanwhile
                pass
            code = TIMEOUT_EXIT_CODE
        log = folder / CONSOLE_LOG
        if not log.exists() or log.stat().st_size == 0:
            log.write_text(f"The container ended with exit code {code} before {RUNTIME_FILE} could write any output.\n")
        return code, code == TIMEOUT_EXIT_CODE
    finally:
        _unregister(token)
        _remove_and_wait(container)
        client.close()


def _remove_and_wait(container: Any, timeout: float = 30.0) -> None:
    """Remove the trial's container and return once Docker has really removed it.

    ``auto_remove`` removes it asynchronously after it stops, and a ``remove`` racing with that answers
    "removal already in progress" while the container is still listed; so wait for the ``removed`` condition
    (a container already gone answers 404).
    """
    import docker

    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        return
    except docker.errors.APIError:  # already being removed (auto_remove): wait for it below
        pass
    try:
        container.wait(condition="removed", timeout=timeout)
    except docker.errors.NotFound:
        pass
    except Exception:  # the daemon did not confirm in time: say so rather than leave it silently
        logger.warning("Docker has not removed the container %s yet", getattr(container, "name", container))


# ----------------------------------------------------------------------------------------------------------------
# native


def _run_native(folder: Path, isolation: Isolation, env: dict[str, str]) -> tuple[int, bool]:
    full_env = dict(os.environ)
    full_env.update(env)
    with open(folder / CONSOLE_LOG, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, RUNTIME_FILE],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            start_new_session=os.name == "posix",
        )
    token = _register(lambda: stop_process_group(process, grace=10))
    try:
        try:
            code = process.wait(timeout=isolation.timeout + _HOST_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            stop_process_group(process, grace=10)
            code = TIMEOUT_EXIT_CODE
        return code, code == TIMEOUT_EXIT_CODE
    finally:
        _unregister(token)
        stop_process_group(
            process, grace=10
        )  # only does something when we leave by an exception (e.g. a cancelled Ray task)


def run_isolated(folder: Path, isolation: Isolation, env: dict[str, str]) -> tuple[int, bool]:
    """Run the trial in ``folder``; returns (exit code, timed out). ``env`` is added to the trial's environment."""
    env = dict(env, AGBENCH_TIMEOUT=f"{isolation.timeout:g}")
    if isolation.mode == "native":
        return _run_native(folder, isolation, env)
    if isolation.mode == "docker":
        return _run_docker(folder, isolation, env)
    raise BenchError(f"Unknown isolation mode {isolation.mode!r} (docker or native).")
