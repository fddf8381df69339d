"""What the command-line executors (local and Docker) have in common: turning each code block into a saved
file, checking it may run, running it, and collecting the result. Subclasses only say how a saved file runs."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Dict, List, Optional, Union

from ..code_utils import TIMEOUT_MSG
from ._process import RunOutcome
from .base import CodeBlock, CodeExtractor, CommandLineCodeResult
from .markdown_code_extractor import MarkdownCodeExtractor
from .utils import (
    POWERSHELL_LANGUAGES,
    PYTHON_LANGUAGES,
    SHELL_LANGUAGES,
    UnsafeFilenameError,
    extract_filename,
    find_dangerous_command,
    resolve_in_workspace,
    silence_pip,
    temp_code_filename,
)

__all__ = ("CommandLineExecutorBase", "canonical_language")

_ALIASES = {**{lang: "python" for lang in PYTHON_LANGUAGES}, "js": "javascript"}


def canonical_language(language: str) -> str:
    lang = (language or "").strip().lower()
    return _ALIASES.get(lang, lang)


class CommandLineExecutorBase:
    """Shared behaviour of the command-line executors; see :class:`LocalCommandLineCodeExecutor`."""

    DEFAULT_EXECUTION_POLICY: ClassVar[Dict[str, bool]] = {
        "bash": True,
        "shell": True,
        "sh": True,
        "pwsh": True,
        "powershell": True,
        "ps1": True,
        "python": True,
        "javascript": False,
        "html": False,
        "css": False,
    }
    SUPPORTED_LANGUAGES: ClassVar[List[str]] = ["bash", "shell", "sh", "pwsh", "powershell", "ps1", "python"]

    def __init__(
        self,
        timeout: int,
        work_dir: Union[Path, str],
        execution_policies: Optional[Dict[str, bool]],
    ) -> None:
        if timeout < 1:
            raise ValueError("Timeout must be greater than or equal to 1.")
        self._timeout = timeout
        self._work_dir = _checked_work_dir(work_dir)
        self.execution_policies: Dict[str, bool] = dict(self.DEFAULT_EXECUTION_POLICY)
        for lang, allowed in (execution_policies or {}).items():
            self.execution_policies[canonical_language(lang)] = bool(allowed)
        self._code_extractor = MarkdownCodeExtractor()

    @property
    def timeout(self) -> int:
        """Seconds a block may run before it is killed."""
        return self._timeout

    @property
    def work_dir(self) -> Path:
        """The directory code files are saved in and run from."""
        return self._work_dir

    @property
    def code_extractor(self) -> CodeExtractor:
        return self._code_extractor

    # --- to be provided by subclasses -------------------------------------------------------------------
    def _run_file(self, lang: str, relative_path: str) -> RunOutcome:
        raise NotImplementedError

    def _prepare(self) -> Optional[CommandLineCodeResult]:
        """One-time set-up before the first block; a result here is returned as the (failed) execution."""
        return None

    # --- the shared loop ------------------------------------------------------------------------------
    def execute_code_blocks(self, code_blocks: List[CodeBlock]) -> CommandLineCodeResult:
        """Save and run the blocks in order, stopping at the first that fails.

        Output of all blocks run is concatenated; ``exit_code`` is that of the last block run (124 when it
        was killed after ``timeout``); ``code_file`` is the file of the first block. An empty list raises
        ValueError, as classic did.
        """
        if not code_blocks:
            raise ValueError("No code blocks to execute. Pass at least one CodeBlock.")
        failure = self._prepare()
        if failure is not None:
            return failure
        outputs: List[str] = []
        files: List[str] = []
        exit_code = 0
        for block in code_blocks:
            lang = canonical_language(block.language)
            path_or_error = self._save(block.code, lang)
            if isinstance(path_or_error, str):
                outputs.append(path_or_error)
                exit_code = 1
                break
            path = path_or_error
            files.append(str(path))
            if not self.execution_policies[lang]:
                outputs.append(f"Code saved to {path}\n")
                continue
            try:
                outcome = self._run_file(lang, path.relative_to(self._work_dir.resolve()).as_posix())
            except FileNotFoundError as exc:  # interpreter missing (e.g. no PowerShell)
                outputs.append(f"Cannot run {lang} code: {exc}\n")
                exit_code = 1
                break
            outputs.append(outcome.stdout + outcome.stderr)
            exit_code = outcome.exit_code
            if outcome.timed_out:
                outputs.append(f"\n{TIMEOUT_MSG}: the code ran longer than {self._timeout} s and was killed.")
                break
            if exit_code != 0:
                break
        return CommandLineCodeResult(
            exit_code=exit_code, output="".join(outputs), code_file=files[0] if files else None
        )

    def _save(self, code: str, lang: str) -> Union[Path, str]:
        """Write the block to its file; a string is an explanation of why it must not run."""
        if lang not in self.execution_policies:
            runnable = ", ".join(k for k, v in self.execution_policies.items() if v)
            return f"unknown language {lang or '(none given)'}: this executor runs {runnable}.\n"
        code = silence_pip(code, lang)
        if lang in SHELL_LANGUAGES or lang in POWERSHELL_LANGUAGES:
            reason = find_dangerous_command(code)
            if reason:
                return f"Potentially dangerous command detected, the block was not run: {reason}\n"
        name = extract_filename(code)
        try:
            path = (
                resolve_in_workspace(name, self._work_dir)
                if name
                else self._work_dir.resolve() / temp_code_filename(code, lang)
            )
        except UnsafeFilenameError as exc:
            return f"{exc}\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _holds(path, code):  # rewriting a file with the same text costs a flush on ext4
            path.write_text(code, encoding="utf-8")
        return path


def _holds(path: Path, code: str) -> bool:
    """Whether the file at ``path`` already holds exactly ``code`` (the same block run again)."""
    try:
        return path.read_bytes() == code.encode("utf-8")
    except OSError:
        return False


def _checked_work_dir(work_dir: Union[Path, str]) -> Path:
    """``work_dir`` as a created directory; ValueError (classic type) for a non-path or an existing file."""
    if not isinstance(work_dir, (str, Path)) or not str(work_dir):
        raise ValueError(f"work_dir must be a directory path (str or pathlib.Path), got {work_dir!r}.")
    path = Path(work_dir)
    if path.exists() and not path.is_dir():
        raise ValueError(f"work_dir {str(path)!r} exists and is not a directory; give a directory path.")
    path.mkdir(parents=True, exist_ok=True)
    return path
