"""The classic ``code_execution_config`` (``work_dir``, ``use_docker``, ``timeout``) as a :class:`CodeExecutor`.

It keeps the classic behaviour of agents configured that way: blocks without a language get one guessed,
python and shell blocks run, temporary code files are removed after running, each block's log is
prefixed with a newline, and the log is the output on success or output plus errors on failure. Unlike the
classic per-run container, Docker code runs in one container per executor, started at the first block.
"""

from __future__ import annotations

import os
import sys
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Union

from ..code_utils import (
    DEFAULT_TIMEOUT,
    LEGACY_TIMEOUT_EXIT_CODE,
    PYTHON_VARIANTS,
    TIMEOUT_MSG,
    UNKNOWN,
    WORKING_DIR,
    _container_interpreter,
    _cut_run_paths,
    _interpreter,
    infer_lang,
)
from ._lifecycle import StopOnExit
from ._process import RunOutcome, python_env, python_env_changes, run_command
from ._spare import SPARE_LANGUAGES, SparePool
from .base import CodeBlock, CodeExtractor, CommandLineCodeResult
from .markdown_code_extractor import MarkdownCodeExtractor
from .utils import UnsafeFilenameError, extract_filename, resolve_in_workspace, temp_code_filename

if TYPE_CHECKING:
    from docker import DockerClient

    from ._docker import ContainerSession

__all__ = ("LegacyCodeExecutor",)

_SHELLS = ("bash", "shell", "sh", "pwsh", "powershell", "ps1")


class LegacyCodeExecutor(StopOnExit):
    """Runs blocks the way a classic ``{"work_dir": ..., "use_docker": ..., "timeout": ...}`` agent did.

    ``docker_images`` is None to run locally, else the candidate images (the first present locally, or
    pullable, is used). Use :func:`autogen.coding.factory.executor_from_config` to build one from a config.
    """

    def __init__(
        self,
        work_dir: Optional[str] = None,
        docker_images: Optional[List[str]] = None,
        timeout: Optional[int] = None,
    ) -> None:
        self._work_dir = Path(work_dir or WORKING_DIR)
        self._work_dir.mkdir(parents=True, exist_ok=True)
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._docker_images = list(docker_images) if docker_images else None
        self._session: Optional[ContainerSession] = None
        self._client: Optional[DockerClient] = None
        self._image: Optional[str] = None
        self._code_extractor = MarkdownCodeExtractor()
        self._spares = SparePool(merge_stderr=False)  # python and shell blocks: an interpreter started ahead
        weakref.finalize(self, self._spares.close)

    @property
    def code_extractor(self) -> CodeExtractor:
        return self._code_extractor

    @property
    def work_dir(self) -> Path:
        return self._work_dir

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def use_docker(self) -> bool:
        return self._docker_images is not None

    @property
    def image(self) -> Optional[str]:
        """The Docker image code runs in (known once the container started), None when running locally."""
        return self._image

    def execute_code_blocks(self, code_blocks: List[CodeBlock]) -> CommandLineCodeResult:
        logs_all = ""
        exit_code = 0
        first_file: Optional[str] = None
        for block in code_blocks:
            lang = block.language or infer_lang(block.code)
            if lang in _SHELLS or lang in PYTHON_VARIANTS or lang == "python3":
                exit_code, logs, used = self._run_block(block.code, lang)
                first_file = first_file or used
            else:
                exit_code, logs = 1, f"unknown language {lang if lang != UNKNOWN else UNKNOWN}"
            logs_all += "\n" + logs
            if exit_code != 0:
                break
        return CommandLineCodeResult(exit_code=exit_code, output=logs_all, code_file=first_file)

    def _run_block(self, code: str, lang: str) -> tuple[int, str, Optional[str]]:
        name = extract_filename(code)
        path: Union[str, Path]
        if name is None:  # a name of our own, a plain file name in the work dir: nothing to check
            relative = temp_code_filename(code, lang.lower())
            path = os.path.join(self._work_dir, relative)
        else:
            root = self._work_dir.resolve()
            try:
                path = resolve_in_workspace(name, root)
            except UnsafeFilenameError as exc:
                return 1, str(exc), None
            relative = path.relative_to(root).as_posix()
        try:
            _write_text(path, code)
        except FileNotFoundError:  # its directory is new (or was removed meanwhile)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            _write_text(path, code)
        try:
            outcome = self._run(lang, relative)
        except (FileNotFoundError, NotImplementedError) as exc:
            return 1, str(exc), None
        finally:
            if name is None:
                _remove(path)
        kept = str(path) if name is not None else None
        if outcome.timed_out:  # classic: exit code 1, as execute_code gave
            logs = outcome.stdout.rstrip()
            return LEGACY_TIMEOUT_EXIT_CODE, f"{logs}\n{TIMEOUT_MSG}" if logs else TIMEOUT_MSG, kept
        if outcome.exit_code == 0:
            return 0, outcome.stdout, kept
        # classic: paths in the work dir (or the container's mount of it) relative, a temporary file's name cut out
        work_dir = self._work_dir.resolve() if self._docker_images is None else None
        logs = _cut_run_paths(outcome.stdout, relative, temporary=work_dir is None and name is None, work_dir=work_dir)
        return outcome.exit_code, logs + _cut_run_paths(outcome.stderr, relative, name is None, work_dir), kept

    def _run(self, lang: str, relative: str) -> RunOutcome:
        if self._docker_images is None:
            program = _interpreter(lang)
            python = program[0] == sys.executable
            spare_lang = "python" if python else program[0]
            if spare_lang in SPARE_LANGUAGES:
                changes = python_env_changes() if python else {}
                return self._spares.run(spare_lang, program, relative, str(self._work_dir), changes, self._timeout)
            env = python_env() if python else None
            argv = [*program, relative]
            return run_command(argv, cwd=str(self._work_dir), timeout=self._timeout, env=env, merge_stderr=False)
        return self._container().exec([*_container_interpreter(lang), relative], timeout=self._timeout)

    def _container(self) -> ContainerSession:
        if self._session is None:
            from ._docker import ContainerSession, docker_client, ensure_image

            assert self._docker_images is not None
            client = docker_client()
            try:
                self._image = ensure_image(client, self._docker_images)
                self._session = ContainerSession(client, self._image, bind_dir=self._work_dir)
            except BaseException:
                client.close()
                raise
            self._client = client
        return self._session

    def restart(self) -> None:
        """Stop the container, if any; the next Docker block starts a fresh one."""
        self.stop()

    def stop(self) -> None:
        if self._session is not None:
            self._session.stop()
            self._session = None
        if self._client is not None:
            self._client.close()
            self._client = None


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _remove(path: Union[str, Path]) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _write_text(path: Union[str, Path], code: str) -> None:
    """``path.write_text(code, encoding="utf-8")`` (newlines written as the platform's) in three system
    calls: a block waits for this write."""
    data = memoryview((code if os.linesep == "\n" else code.replace("\n", os.linesep)).encode("utf-8"))
    fd = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)
