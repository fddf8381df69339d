"""What the Jupyter executors share: one kernel keeps state between blocks; a failing or timed-out block
stops the run; rich outputs become files in ``output_dir``."""

from __future__ import annotations

from pathlib import Path
from typing import List, TypeVar, Union

from .._lifecycle import StopOnExit
from ..base import CodeBlock, CodeExtractor, IPythonCodeResult
from ..markdown_code_extractor import MarkdownCodeExtractor
from ._output import KernelOutput, prepare_code, render_results
from ._reaping import CLEANUP_CELL, setup_cell

__all__ = ("KernelExecutorBase",)

_Self = TypeVar("_Self", bound="KernelExecutorBase")

_HOUSEKEEPING_TIMEOUT = 30.0

_CELL_MAGIC = {"bash": "%%bash", "sh": "%%sh", "shell": "%%sh"}


class KernelExecutorBase(StopOnExit):
    def __init__(self, timeout: int, output_dir: Union[Path, str], kernel_name: str) -> None:
        if timeout < 1:
            raise ValueError("Timeout must be greater than or equal to 1.")
        self._timeout = timeout
        self._output_dir = Path(output_dir)
        self._output_dir.mkdir(parents=True, exist_ok=True)
        self._kernel_name = kernel_name
        self._code_extractor = MarkdownCodeExtractor()

    @property
    def code_extractor(self) -> CodeExtractor:
        return self._code_extractor

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def output_dir(self) -> Path:
        return self._output_dir

    @property
    def kernel_name(self) -> str:
        return self._kernel_name

    def _execute(self, code: str, timeout: float, silent: bool = False) -> KernelOutput:
        raise NotImplementedError

    def _prepare_kernel(self) -> None:
        """After each kernel start or restart: keep the processes blocks start under control (see _reaping)."""
        if self._kernel_name.startswith("python"):
            self._execute(setup_cell(), _HOUSEKEEPING_TIMEOUT, silent=True)

    def _clean_up_after_timeout(self, run: KernelOutput) -> None:
        """Kill the processes the timed-out block started (a restarted kernel was cleaned up before)."""
        if self._kernel_name.startswith("python") and not run.restarted:
            self._execute(CLEANUP_CELL, _HOUSEKEEPING_TIMEOUT, silent=True)

    def _cell(self, block: CodeBlock) -> str:
        code = prepare_code(block.code)
        magic = _CELL_MAGIC.get(block.language.strip().lower())
        if magic and self._kernel_name.startswith("python"):
            return f"{magic}\n{code}"
        return code

    def execute_code_blocks(self, code_blocks: List[CodeBlock]) -> IPythonCodeResult:
        """Run the blocks in the kernel in order (state carries over), stopping at the first failure.

        Shell blocks (bash/sh) run through the ``%%bash``/``%%sh`` cell magics of a Python kernel.
        """
        runs: List[KernelOutput] = []
        for block in code_blocks:
            run = self._execute(self._cell(block), self._timeout)
            runs.append(run)
            if run.timed_out:
                self._clean_up_after_timeout(run)
            if run.error is not None or run.timed_out:
                break
        return render_results(runs, self._output_dir, self._timeout)

    def restart(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError
