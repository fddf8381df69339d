"""The Docker plumbing the executors share: a client that is known to answer, an image that is known to be
present, and one long-lived container that runs commands with a time limit.

The docker SDK is imported here only, and this module is imported only when Docker is actually used.
"""

from __future__ import annotations

import atexit
import logging
import os
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from ._lifecycle import StopOnExit
from ._process import RunOutcome
from .errors import ContainerStartError, DockerImageNotFoundError, DockerNotRunningError

if TYPE_CHECKING:
    from docker import DockerClient
    from docker.models.containers import Container

__all__ = ("docker_client", "ensure_image", "ContainerSession", "CONTAINER_WORKDIR")

logger = logging.getLogger(__name__)

CONTAINER_WORKDIR = "/workspace"
# PID 1 of the container: idle until stopped, and exit at once on SIGTERM (a bare `sleep` as PID 1 would
# ignore it and make every stop wait for Docker's grace period).
_IDLE_ENTRYPOINT = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; sleep infinity & wait"]
# After the time limit, `timeout` sends TERM to the block's process group, then KILL this many seconds later.
_KILL_AFTER_SECONDS = 2
_START_WAIT_SECONDS = 30.0


def _import_docker() -> ModuleType:
    try:
        import docker
    except ImportError as exc:  # docker is a core dependency; this only happens in a broken install
        raise DockerNotRunningError("the docker Python package is not installed (pip install docker)") from exc
    module: ModuleType = docker
    return module


def docker_client(timeout: int = 60) -> DockerClient:
    """A client whose daemon answered a ping; :class:`DockerNotRunningError` otherwise."""
    docker = _import_docker()
    where = os.environ.get("DOCKER_HOST", "the default socket")
    try:
        client = docker.from_env(timeout=timeout)
    except Exception as exc:  # DockerException, requests errors, bad DOCKER_HOST values
        raise DockerNotRunningError(f"cannot connect to the Docker daemon at {where}: {exc}") from exc
    try:
        client.ping()
    except Exception as exc:
        client.close()
        raise DockerNotRunningError(f"the Docker daemon at {where} does not answer: {exc}") from exc
    return client


def ensure_image(client: DockerClient, candidates: Sequence[str]) -> str:
    """The first of ``candidates`` present locally, else the first that can be pulled."""
    docker = _import_docker()
    for image in candidates:
        try:
            client.images.get(image)
            return image
        except docker.errors.ImageNotFound:
            continue
    problems = []
    for image in candidates:
        logger.info("Pulling Docker image %s ...", image)
        try:
            client.images.pull(image)
            return image
        except docker.errors.DockerException as exc:
            problems.append(f"pulling {image}: {exc}")
    raise DockerImageNotFoundError(list(candidates), "; ".join(problems))


class ContainerSession(StopOnExit):
    """One running container with ``bind_dir`` mounted at /workspace, executing commands on demand.

    Stopped by :meth:`stop` (also on ``with`` exit, and at interpreter exit when ``stop_at_exit``).
    With ``auto_remove`` the container is deleted once stopped.
    """

    def __init__(
        self,
        client: DockerClient,
        image: str,
        *,
        bind_dir: Path,
        container_name: Optional[str] = None,
        auto_remove: bool = True,
        stop_at_exit: bool = True,
        network_mode: Optional[str] = None,
    ) -> None:
        docker = _import_docker()
        self._client = client
        self.image = image
        self.auto_remove = auto_remove
        self._stopped = False
        try:
            self._container: Container = client.containers.create(
                image,
                name=container_name,
                entrypoint=_IDLE_ENTRYPOINT,
                command=[],
                auto_remove=auto_remove,
                volumes={str(Path(bind_dir).resolve()): {"bind": CONTAINER_WORKDIR, "mode": "rw"}},
                working_dir=CONTAINER_WORKDIR,
                network_mode=network_mode,
                labels={"org.autogen.executor": "commandline"},
                detach=True,
            )
            self._container.start()
        except docker.errors.ImageNotFound as exc:
            raise DockerImageNotFoundError([image], str(exc)) from exc
        except docker.errors.APIError as exc:
            raise ContainerStartError(f"Could not start a container from image {image!r}: {exc}") from exc
        self._wait_until_running()
        self._stop_at_exit = stop_at_exit
        self._atexit_hook: Optional[Callable[[], None]] = None
        self._watch_exit()

    def _watch_exit(self) -> None:
        """Stop the container when the interpreter exits (with ``stop_at_exit``)."""
        if self._stop_at_exit and self._atexit_hook is None:
            self._atexit_hook = self.stop
            atexit.register(self._atexit_hook)

    @property
    def container(self) -> Container:
        return self._container

    @property
    def name(self) -> str:
        return str(self._container.name)

    @property
    def id(self) -> str:
        return str(self._container.id)

    def _wait_until_running(self) -> None:
        deadline = time.monotonic() + _START_WAIT_SECONDS
        while True:
            self._container.reload()
            status = self._container.status
            if status == "running":
                return
            if status in ("exited", "dead") or time.monotonic() > deadline:
                try:
                    logs = self._container.logs().decode("utf-8", errors="replace")
                except Exception:
                    logs = "<no logs>"
                raise ContainerStartError(
                    f"The container from image {self.image!r} is {status!r} instead of running. Logs:\n{logs}"
                )
            time.sleep(0.05)

    def exec(
        self, argv: Sequence[str], timeout: Optional[float], environment: Optional[dict[str, str]] = None
    ) -> RunOutcome:
        """Run ``argv`` in /workspace; past ``timeout`` seconds its process group is killed (exit code 124)."""
        if self._stopped:
            raise ContainerStartError("The container has been stopped; create a new executor.")
        command = list(argv)
        if timeout is not None:
            command = ["timeout", "-k", str(_KILL_AFTER_SECONDS), f"{float(timeout):g}", *command]
        env = {"PYTHONUNBUFFERED": "1", **(environment or {})}
        started = time.monotonic()
        result: Any = self._container.exec_run(command, workdir=CONTAINER_WORKDIR, environment=env)
        elapsed = time.monotonic() - started
        output = (result.output or b"").decode("utf-8", errors="replace")
        exit_code = int(result.exit_code if result.exit_code is not None else -1)
        # 124: timed out and ended on TERM; 137: had to be killed after the grace period.
        timed_out = timeout is not None and exit_code in (124, 137) and elapsed >= float(timeout) - 0.05
        return RunOutcome(exit_code=124 if timed_out else exit_code, stdout=output, stderr="", timed_out=timed_out)

    def restart(self) -> None:
        """Restart the container. One that :meth:`stop` stopped but did not remove (no ``auto_remove``) runs
        again and takes commands, as in classic; a removed one raises docker's ``NotFound``."""
        self._container.restart(timeout=2)
        self._wait_until_running()
        self._wait_until_exec_works()
        if self._stopped:
            self._stopped = False
            self._watch_exit()

    def _wait_until_exec_works(self) -> None:
        # Just after a restart the daemon may report "running" while an exec still fails ("cannot exec in a
        # stopped state"): wait until a trivial command runs, so the next block does not meet that window.
        deadline = time.monotonic() + _START_WAIT_SECONDS
        while True:
            result: Any = self._container.exec_run(["true"])
            if result.exit_code == 0 or time.monotonic() > deadline:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the container (removed too with ``auto_remove``); idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._atexit_hook is not None:
            atexit.unregister(self._atexit_hook)
            self._atexit_hook = None
        docker = _import_docker()
        try:
            self._container.stop(timeout=2)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            logger.warning("Could not stop container %s: %s", self._container.id, exc)
        if self.auto_remove:
            self._wait_gone()

    def _wait_gone(self, limit: float = 10.0) -> None:
        docker = _import_docker()
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                self._client.containers.get(self._container.id)
            except docker.errors.NotFound:
                return
            except docker.errors.APIError:
                return
            time.sleep(0.05)
