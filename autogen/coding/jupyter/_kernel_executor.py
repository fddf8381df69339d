"""What the Jupyter executors share: one kernel keeps state between blocks; a failing or timed-out block
stops the run; rich outputs become files in ``output_dir``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import List, TypeVar, Union

from .._lifecycle import StopOnExit
from ..base import CodeBlock, CodeExtractor, IPythonCodeResult
from ..markdown_code_extractor import MarkdownCodeExtractor
from ._output import KernelOutput, prepare_code, render_results
from ._reaping import CLEANUP_CELL, setup_cell

__all__ = ("KernelExecutorBase",)

_Self = TypeVar("_Self", bound="KernelExecutorBase")

logger = logging.getLogger(__name__)

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
        """Seconds a block may run before it is interrupted; settable (classic code assigned it)."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: int) -> None:
        if value < 1:
            raise ValueError("Timeout must be greater than or equal to 1.")
        self._timeout = value

    @property
    def output_dir(self) -> Path:
        """Where displayed images and HTML are saved; settable (created when missing), as the classic field was."""
        return self._output_dir

    @output_dir.setter
    def output_dir(self, value: Union[Path, str]) -> None:
        path = Path(value)
        path.mkdir(parents=True, exist_ok=True)
        self._output_dir = path

    @property
    def kernel_name(self) -> str:
        return self._kernel_name

    def _execute(self, code: str, timeout: float, silent: bool = False) -> KernelOutput:
        """Run ``code``; past ``timeout`` interrupt it and wait for the kernel to be idle again (``run.done``
        stays False when it did not stop). Never restarts the kernel: :meth:`_recover` decides that."""
        raise NotImplementedError

    def _kill_kernel_descendants(self) -> None:
        """Before the restart of a stuck kernel: kill what it started, where this process can reach it."""

    def _housekeeping(self, code: str) -> bool:
        """Run one of AutoGen's silent cells in a Python kernel; False when the kernel did not finish it in time."""
        if not self._kernel_name.startswith("python"):
            return True
        run = self._execute(code, _HOUSEKEEPING_TIMEOUT, silent=True)
        return run.done and not run.timed_out

    def _prepare_kernel(self) -> None:
        """After each kernel start or restart: keep the processes blocks start under control (see _reaping).

        A kernel that does not run the set-up cell raises instead of being restarted once more, so a kernel
        that cannot come up ends the run with an error rather than restarting for ever."""
        if not self._housekeeping(setup_cell()):
            raise RuntimeError(
                f"The {self._kernel_name} kernel did not run AutoGen's set-up cell within "
                f"{_HOUSEKEEPING_TIMEOUT:g} s of starting: it is stuck or the machine is overloaded. "
                "Stop this executor and create a new one."
            )

    def _recover(self, run: KernelOutput) -> None:
        """After ``run`` timed out: kill the processes the block started; a kernel that did not stop on the
        interrupt (or did not run the clean-up cell) is restarted, and ``run`` says its state was lost."""
        if run.done and self._housekeeping(CLEANUP_CELL):
            return
        stuck_in = "the timed-out block" if not run.done else "AutoGen's clean-up cell"
        logger.warning("The %s kernel did not stop in %s; restarting it.", self._kernel_name, stuck_in)
        self._kill_kernel_descendants()
        self.restart()
        run.restarted = True

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
                self._recover(run)
            if run.error is not None or run.timed_out:
                break
        return render_results(runs, self._output_dir, self._timeout)

    def restart(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError
