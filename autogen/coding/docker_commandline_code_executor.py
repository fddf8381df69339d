"""Run code blocks inside one Docker container that lives as long as the executor."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import ClassVar, Dict, List, Optional, Union

from ._commandline import CommandLineExecutorBase
from ._lifecycle import StopOnExit
from ._process import RunOutcome

__all__ = ("DockerCommandLineCodeExecutor",)

logger = logging.getLogger(__name__)

_CONTAINER_COMMANDS: Dict[str, List[str]] = {
    "python": ["python"],
    "sh": ["sh"],
    "shell": ["sh"],
    "bash": ["bash"],
    "pwsh": ["pwsh", "-File"],
    "powershell": ["pwsh", "-File"],
    "ps1": ["pwsh", "-File"],
    "javascript": ["node"],
}


class DockerCommandLineCodeExecutor(CommandLineExecutorBase, StopOnExit):
    """Saves each code block to ``work_dir`` (mounted at /workspace) and runs it in a container.

    The container is started from ``image`` when the executor is created and kept (so installed packages
    persist between blocks) until :meth:`stop` (also on ``with`` exit, and at interpreter exit when
    ``stop_container``); with ``auto_remove`` it is then deleted. ``bind_dir`` is the host path of
    ``work_dir`` as the Docker daemon sees it (when this process itself runs in a container); it defaults to
    ``work_dir``. Blocks are killed after ``timeout`` seconds (exit code 124), with their children.
    ``network_mode`` is passed to Docker (e.g. ``"host"`` to reach servers on this machine's 127.0.0.1).
    """

    LANGUAGE_ALIASES: ClassVar[Dict[str, str]] = {"py": "python", "js": "javascript"}

    def __init__(
        self,
        image: str = "python:3-slim",
        container_name: Optional[str] = None,
        timeout: int = 60,
        work_dir: Union[Path, str] = Path("."),
        bind_dir: Optional[Union[Path, str]] = None,
        auto_remove: bool = True,
        stop_container: bool = True,
        execution_policies: Optional[Dict[str, bool]] = None,
        *,
        network_mode: Optional[str] = None,
    ) -> None:
        super().__init__(timeout=timeout, work_dir=work_dir, execution_policies=execution_policies)
        from ._docker import ContainerSession, docker_client, ensure_image

        self._bind_dir = Path(bind_dir) if bind_dir is not None else self._work_dir
        self._image = image
        self._client = docker_client()
        try:
            ensure_image(self._client, [image])
            self._session = ContainerSession(
                self._client,
                image,
                bind_dir=self._bind_dir,
                container_name=container_name or f"autogen-code-exec-{uuid.uuid4()}",
                auto_remove=auto_remove,
                stop_at_exit=stop_container,
                network_mode=network_mode,
            )
        except BaseException:
            self._client.close()
            raise

    @property
    def bind_dir(self) -> Path:
        return self._bind_dir

    @property
    def image(self) -> str:
        return self._image

    @property
    def container_name(self) -> str:
        return self._session.name

    @property
    def container_id(self) -> str:
        return self._session.id

    def _run_file(self, lang: str, relative_path: str) -> RunOutcome:
        command = _CONTAINER_COMMANDS.get(lang)
        if command is None:
            raise FileNotFoundError(f"no program to run {lang} code in the container")
        return self._session.exec([*command, relative_path], timeout=self._timeout)

    def restart(self) -> None:
        """Restart the container (its processes end; files and installed packages stay). A container that
        :meth:`stop` stopped without removing it (``auto_remove=False``) runs again, as in classic."""
        self._session.restart()

    def stop(self) -> None:
        """Stop the container (and remove it with ``auto_remove``). Safe to call more than once."""
        self._session.stop()
        self._client.close()
