"""Run code blocks in a local IPython kernel started and driven directly with jupyter_client."""

from __future__ import annotations

import atexit
import logging
import queue
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from .._reaper import kill_descendants
from ._extras import require
from ._kernel_executor import KernelExecutorBase
from ._output import INTERRUPT_GRACE, KernelOutput

if TYPE_CHECKING:
    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.manager import KernelManager

__all__ = ("EmbeddedIPythonCodeExecutor",)

logger = logging.getLogger(__name__)

_READY_TIMEOUT = 60.0
_STOPPED = "The kernel has been stopped; create a new EmbeddedIPythonCodeExecutor."


class EmbeddedIPythonCodeExecutor(KernelExecutorBase):
    """Runs Python blocks in an IPython kernel owned by this executor (needs the ``jupyter-executor`` extra:
    ``pip install "pyautogen[jupyter-executor]"``).

    Variables, imports and functions persist from one block to the next. Images a block displays (e.g. a
    matplotlib figure) are saved as files in ``output_dir`` and listed in ``output_files``; ``!pip install``
    lines work. A block running past ``timeout`` seconds is interrupted (exit code 124) and the processes it
    started are killed (see ``_reaping``); a kernel that does not stop is restarted, and the output says its
    state was lost. Call :meth:`stop`
    (or use ``with``) to shut the kernel down; it is also shut down when the interpreter exits.
    """

    def __init__(self, timeout: int = 60, kernel_name: str = "python3", output_dir: Union[Path, str] = ".") -> None:
        super().__init__(timeout=timeout, output_dir=output_dir, kernel_name=kernel_name)
        jupyter_client = require("jupyter_client", "EmbeddedIPythonCodeExecutor")
        require("ipykernel", "EmbeddedIPythonCodeExecutor")
        specs = jupyter_client.kernelspec.KernelSpecManager().find_kernel_specs()
        if kernel_name not in specs:
            raise ValueError(
                f"Kernel {kernel_name} is not installed. Installed kernels: {', '.join(sorted(specs)) or 'none'}. "
                "Install one with `python -m ipykernel install --user --name NAME`."
            )
        self._manager: KernelManager = jupyter_client.KernelManager(kernel_name=kernel_name)
        self._client: Optional[BlockingKernelClient] = None
        self._stopped = False
        self._manager.start_kernel()
        self._connect()
        self._prepare_kernel()
        atexit.register(self.stop)

    def _connect(self) -> None:
        client = self._manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=_READY_TIMEOUT)
        except RuntimeError:
            client.stop_channels()
            raise
        self._client = client

    def _execute(self, code: str, timeout: float, silent: bool = False) -> KernelOutput:
        client = self._client
        if client is None:
            raise RuntimeError(_STOPPED)
        msg_id = client.execute(code, silent=silent, store_history=not silent, allow_stdin=False, stop_on_error=True)
        run = KernelOutput(msg_id)
        deadline = time.monotonic() + timeout
        while not run.done:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._interrupt(run)
                break
            try:
                msg: Any = client.get_iopub_msg(timeout=remaining)
            except queue.Empty:
                self._interrupt(run)
                break
            run.feed(msg)
        return run

    def _interrupt(self, run: KernelOutput) -> None:
        """Stop the running block and wait for the kernel to be idle, so the next block starts clean."""
        run.timed_out = True
        assert self._client is not None
        self._manager.interrupt_kernel()
        ending = KernelOutput(run.msg_id)
        deadline = time.monotonic() + INTERRUPT_GRACE
        while not ending.done and time.monotonic() < deadline:
            try:
                ending.feed(self._client.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                break
        run.done = ending.done

    def _kill_kernel_descendants(self) -> None:
        """Before a restart: kill what the kernel started (it stays a subreaper of them until it dies)."""
        process = getattr(getattr(self._manager, "provisioner", None), "process", None)
        pid = getattr(process, "pid", None)
        if pid is not None and sys.platform.startswith("linux"):
            kill_descendants(root=pid)

    def restart(self) -> None:
        """Restart the kernel: all state (variables, imports) is lost."""
        if self._stopped:
            raise RuntimeError(_STOPPED)
        if self._client is not None:
            self._client.stop_channels()
            self._client = None
        self._manager.restart_kernel(now=True)
        self._connect()
        self._prepare_kernel()

    def stop(self) -> None:
        """Shut the kernel down. Safe to call more than once."""
        atexit.unregister(self.stop)
        self._stopped = True
        if self._client is not None:
            self._client.stop_channels()
            self._client = None
        if self._manager.has_kernel:
            try:
                self._manager.shutdown_kernel(now=True)
            except Exception as exc:  # the kernel may already be gone at interpreter exit
                logger.debug("Kernel shutdown failed: %s", exc)
