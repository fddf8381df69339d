"""Run code blocks as local processes in a working directory."""

from __future__ import annotations

import keyword
import logging
import os
import shutil
import sys
import weakref
from pathlib import Path
from string import Template
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from ..code_utils import get_powershell_command
from ._commandline import CommandLineExecutorBase
from ._process import RunOutcome, python_env_changes, run_command
from ._spare import SPARE_LANGUAGES, SparePool
from .base import CommandLineCodeResult
from .func_with_reqs import (
    FunctionWithRequirements,
    FunctionWithRequirementsStr,
    build_python_functions_file,
    requirements_of,
    to_stub,
)
from .utils import POWERSHELL_LANGUAGES

__all__ = ("LocalCommandLineCodeExecutor", "LocalCommandlineCodeExecutor", "CommandlineCodeResult")

logger = logging.getLogger(__name__)

FUNCTION_PROMPT_TEMPLATE = """You have access to the following user defined functions. They can be accessed from the module called `$module_name` by their function names.

For example, if there was a function called `foo` you could import it by writing `from $module_name import foo`

$functions"""

Function = Union[FunctionWithRequirements[Any], FunctionWithRequirementsStr, Callable[..., Any]]


class LocalCommandLineCodeExecutor(CommandLineExecutorBase):
    """Saves each code block to a file in ``work_dir`` and runs it there as a local process.

    Python blocks run with this interpreter (or ``virtual_env_context.env_exe``); ``bash``/``sh``/``shell``
    blocks with the shell; ``pwsh``/``powershell``/``ps1`` with PowerShell when installed. A block whose first
    line is ``# filename: name.py`` is saved under that name (refused when it leads outside ``work_dir``).
    A block running longer than ``timeout`` seconds is killed with its whole process group (exit code 124).
    Every block runs in a new process; for Python and shell blocks that process is started ahead, while
    the previous block runs, and waits for its block (see ``_spare.py``), so a block does not pay for
    the interpreter's start-up.
    ``functions`` become importable by the code as the module ``functions_module``.
    ``execution_policies`` maps a language to whether its blocks run (False: only saved).
    Execution stops at the first failing block. This executor gives no isolation: use the Docker one for
    code you do not trust.
    """

    FUNCTION_PROMPT_TEMPLATE = FUNCTION_PROMPT_TEMPLATE

    def __init__(
        self,
        timeout: int = 60,
        virtual_env_context: Optional[SimpleNamespace] = None,
        work_dir: Union[Path, str] = Path("."),
        functions: Sequence[Function] = [],
        functions_module: str = "functions",
        execution_policies: Optional[Dict[str, bool]] = None,
    ) -> None:
        if not functions_module.isidentifier() or keyword.iskeyword(functions_module):
            raise ValueError(
                f"Module name must be a valid Python identifier. functions_module is {functions_module!r}."
            )
        super().__init__(timeout=timeout, work_dir=work_dir, execution_policies=execution_policies)
        self._virtual_env_context = virtual_env_context
        self._functions: List[Function] = list(functions)
        self._functions_module = functions_module
        self._setup_functions_complete = not self._functions
        # Built now so that a function whose source cannot be read fails here, not at the first block.
        self._functions_source = build_python_functions_file(self._functions) if self._functions else ""
        self._python = str(getattr(virtual_env_context, "env_exe", None) or sys.executable)
        bin_path = getattr(virtual_env_context, "bin_path", None)
        self._bin_dir = str(Path(bin_path).absolute()) if bin_path else None
        self._spares = SparePool()
        weakref.finalize(self, self._spares.close)

    # --- functions --------------------------------------------------------------------------------------
    @property
    def functions_module(self) -> str:
        """The module name the generated code imports the functions from."""
        return self._functions_module

    @property
    def functions(self) -> List[Function]:
        return list(self._functions)

    def format_functions_for_prompt(self, prompt_template: str = FUNCTION_PROMPT_TEMPLATE) -> str:
        """Describe the available functions (as stubs) for a system message."""
        stubs = "\n\n".join(to_stub(f) for f in self._functions)
        return Template(prompt_template).substitute(module_name=self._functions_module, functions=stubs)

    def _prepare(self) -> Optional[CommandLineCodeResult]:
        if self._setup_functions_complete:
            return None
        module_file = self._work_dir / f"{self._functions_module}.py"
        module_file.write_text(self._functions_source, encoding="utf-8")
        packages, _ = requirements_of(self._functions)
        if packages:
            outcome = run_command(
                [self._python, "-m", "pip", "install", "-qqq", *packages],
                cwd=str(self._work_dir),
                timeout=max(self._timeout, 300),
                env=self._env(),
            )
            if outcome.exit_code != 0:
                return CommandLineCodeResult(
                    exit_code=1,
                    output=f"Pip install failed. Installing the packages the functions need ({' '.join(packages)}) "
                    "failed:\n"
                    f"{outcome.stdout}",
                )
        outcome = run_command(
            [self._python, "-c", f"import {self._functions_module}"],
            cwd=str(self._work_dir),
            timeout=self._timeout,
            env=self._env(),
        )
        if outcome.exit_code != 0:
            return CommandLineCodeResult(
                exit_code=1,
                output=f"Functions failed to load: the functions module {self._functions_module!r} failed to "
                f"import:\n{outcome.stdout}",
            )
        self._setup_functions_complete = True
        return None

    # --- running ----------------------------------------------------------------------------------------
    def _env_changes(self) -> Dict[str, str]:
        """What blocks get on top of this process's environment."""
        extra = [str(self._work_dir.resolve())] if self._functions else []
        return python_env_changes(extra_paths=extra, bin_dir=self._bin_dir)

    def _env(self) -> Dict[str, str]:
        return {**os.environ, **self._env_changes()}

    def _command(self, lang: str) -> List[str]:
        if lang == "python":
            return [self._python]
        if lang in ("sh", "shell"):
            return ["sh"]
        if lang == "bash":
            return ["bash"]
        if lang in POWERSHELL_LANGUAGES:
            return [get_powershell_command(), "-File"]
        if lang == "javascript":
            node = shutil.which("node")
            if node:
                return [node]
        raise FileNotFoundError(f"no program to run {lang} code is configured or installed")

    def _run_file(self, lang: str, relative_path: str) -> RunOutcome:
        if lang in SPARE_LANGUAGES:  # a fresh interpreter started ahead, while the previous block ran
            program = self._command(lang)
            cwd = str(self._work_dir)
            return self._spares.run(lang, program, relative_path, cwd, self._env_changes(), self._timeout)
        argv = [*self._command(lang), relative_path]
        return run_command(argv, cwd=str(self._work_dir), timeout=self._timeout, env=self._env())

    def restart(self) -> None:
        """Nothing to restart: every block runs in a new process."""
        import warnings

        # a UserWarning, as in the classic package
        warnings.warn(
            "Restarting local command line code executor is not supported. No action is taken.",
            UserWarning,
            stacklevel=2,
        )

    # classic static helper
    @staticmethod
    def sanitize_command(lang: str, code: str) -> None:
        """Raise ValueError when a shell block contains a command that would destroy the machine."""
        from .utils import SHELL_LANGUAGES, find_dangerous_command

        if lang in SHELL_LANGUAGES or lang in POWERSHELL_LANGUAGES:
            reason = find_dangerous_command(code)
            if reason:
                raise ValueError(f"Potentially dangerous command detected: {reason}")


# Classic spellings, kept as aliases of the same classes (isinstance works either way).
LocalCommandlineCodeExecutor = LocalCommandLineCodeExecutor
CommandlineCodeResult = CommandLineCodeResult
