"""Errors raised by the code executors. Each message says what went wrong and how to get going again."""

from __future__ import annotations

from .. import _optional
from ..exception_utils import AutoGenError

_NO_DOCKER_WAYS_OUT = (
    "The options available are:\n"
    "- Make sure Docker is running (advised approach for code execution): start the daemon "
    "(e.g. `sudo systemctl start docker`, `sudo dockerd &`, or Docker Desktop) and check with `docker info`\n"
    '- Set "use_docker": False in code_execution_config (or use LocalCommandLineCodeExecutor)\n'
    '- Set AUTOGEN_USE_DOCKER to "0/False/no" in your environment variables'
)


class CodeExecutionError(AutoGenError):
    """Base class of the errors raised by the code execution layer."""


class DockerNotRunningError(CodeExecutionError, RuntimeError):
    """Docker was asked for, but its daemon cannot be reached (or the docker SDK is missing)."""

    def __init__(self, detail: str = "") -> None:
        head = "Code execution is set to be run in docker (default behaviour) but docker is not running."
        if detail:
            head += f"\nDetail: {detail}"
        super().__init__(f"{head}\n{_NO_DOCKER_WAYS_OUT}")


class DockerImageNotFoundError(CodeExecutionError, RuntimeError):
    """None of the requested Docker images is present locally, and pulling failed."""

    def __init__(self, images: list[str], detail: str = "") -> None:
        self.images = list(images)
        names = ", ".join(repr(i) for i in self.images)
        first = self.images[0] if self.images else "IMAGE"
        message = (
            f"Docker image {names} is not available locally and could not be pulled."
            + (f"\nDetail: {detail}" if detail else "")
            + f"\nFix it by pulling the image (`docker pull {first}`), by building it "
            "(scripts/setup_docker.sh builds python:3-slim without network access), or by naming an image "
            "listed by `docker images` (use_docker=<image name> / DockerCommandLineCodeExecutor(image=...)).\n"
            "Or run code without Docker: use_docker=False in code_execution_config, AUTOGEN_USE_DOCKER=False, "
            "or LocalCommandLineCodeExecutor."
        )
        super().__init__(message)


class ContainerStartError(CodeExecutionError, RuntimeError):
    """The container was created but did not reach the running state."""


class MissingExtraError(CodeExecutionError, _optional.MissingExtraError):
    """An optional dependency of an executor is not installed; the message names the extra that brings it."""
