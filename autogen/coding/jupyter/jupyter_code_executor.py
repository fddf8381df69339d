"""Run code blocks on a kernel of a Jupyter server (e.g. a :class:`LocalJupyterServer`)."""

from __future__ import annotations

import atexit
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from .._reaper import kill_descendants
from ._kernel_executor import _HOUSEKEEPING_TIMEOUT, KernelExecutorBase
from ._output import KernelOutput
from ._reaping import identity_cell, is_alive_here, local_kernel
from .base import JupyterConnectable, JupyterConnectionInfo
from .jupyter_client import JupyterClient

__all__ = ("JupyterCodeExecutor",)

logger = logging.getLogger(__name__)

_STOPPED = "The kernel has been stopped; create a new JupyterCodeExecutor."


class JupyterCodeExecutor(KernelExecutorBase):
    """Starts a ``kernel_name`` kernel on ``jupyter_server`` (anything with ``connection_info``, or a
    :class:`JupyterConnectionInfo`) and runs blocks on it; state persists between blocks, images and HTML
    are saved in ``output_dir``, a block past ``timeout`` seconds is interrupted (exit code 124) and the processes it
    started are killed; a kernel that does not stop is restarted (the output says its state was lost; a kernel
    that does not come back raises RuntimeError).
    :meth:`stop` deletes the kernel (also on ``with`` exit and at interpreter exit).

    The processes of a timed-out block are killed by a clean-up cell the kernel runs once the interrupt stopped
    the block, wherever the server runs (Linux kernels; see ``_reaping``). A kernel that did not stop is
    restarted, and a server only kills the kernel's process group: processes the block started in a new
    session (``setsid``, ``start_new_session=True``, daemons) would survive. When the kernel runs on this
    machine, in this process's pid namespace and under a user this process may signal (a
    :class:`LocalJupyterServer`, say), the executor kills every process the kernel started before restarting it,
    as the embedded executor does; the kernel tells its pid through a silent cell, and it is checked here.
    A server elsewhere (another machine, or a container such as :class:`DockerJupyterServer`'s) cannot be
    reached that way: its process-group kill still ends plain children (``subprocess.Popen``,
    ``os.system("cmd &")``), but new-session processes of a block that hung its kernel stay on that machine
    until its server or container stops."""

    def __init__(
        self,
        jupyter_server: Union[JupyterConnectable, JupyterConnectionInfo],
        kernel_name: str = "python3",
        timeout: int = 60,
        output_dir: Union[Path, str] = Path("."),
    ) -> None:
        super().__init__(timeout=timeout, output_dir=output_dir, kernel_name=kernel_name)
        if isinstance(jupyter_server, JupyterConnectionInfo):
            info = jupyter_server
        elif isinstance(jupyter_server, JupyterConnectable):
            info = jupyter_server.connection_info
        else:
            raise ValueError("jupyter_server must be a JupyterConnectable or a JupyterConnectionInfo.")
        self._owned: List[Any] = []
        self._local_kernel: Optional[Dict[str, Any]] = None  # the kernel's identity when it runs beside us
        self._jupyter_client = JupyterClient(info)
        specs = self._jupyter_client.list_kernel_specs().get("kernelspecs", {})
        if kernel_name not in specs:
            raise ValueError(f"Kernel {kernel_name} is not installed. Installed kernels: {', '.join(sorted(specs))}.")
        self._kernel_id: str | None = self._jupyter_client.start_kernel(kernel_name)
        self._kernel_client = self._jupyter_client.get_kernel_client(self._kernel_id)
        if not self._kernel_client.wait_for_ready():
            self.stop()
            raise RuntimeError(f"The {kernel_name} kernel did not become ready.")
        self._prepare_kernel()
        atexit.register(self.stop)

    def _own(self, resource: Any) -> None:
        """Stop ``resource`` (e.g. a server the factory started for this executor) together with the kernel."""
        self._owned.append(resource)

    def _execute(self, code: str, timeout: float, silent: bool = False) -> KernelOutput:
        if self._kernel_id is None:
            raise RuntimeError(_STOPPED)
        return self._kernel_client.run(code, timeout, silent=silent)

    def _prepare_kernel(self) -> None:
        super()._prepare_kernel()
        self._local_kernel = None
        if self._kernel_name.startswith("python"):
            run = self._execute(identity_cell(), _HOUSEKEEPING_TIMEOUT, silent=True)
            if run.done and not run.timed_out:
                self._local_kernel = local_kernel(run.text)

    def _kill_kernel_descendants(self) -> None:
        """Before the restart of a stuck kernel that runs on this machine: kill every process it started."""
        identity, self._local_kernel = self._local_kernel, None
        if identity is None or not is_alive_here(identity):
            return
        killed = kill_descendants(root=int(identity["pid"]))
        logger.debug("Killed %d processes of the stuck kernel before restarting it.", len(killed))

    def restart(self) -> None:
        """Restart the kernel: all state is lost."""
        if self._kernel_id is None:
            raise RuntimeError(_STOPPED)
        self._kernel_client.stop()
        self._jupyter_client.restart_kernel(self._kernel_id)
        self._kernel_client = self._jupyter_client.get_kernel_client(self._kernel_id)
        if not self._kernel_client.wait_for_ready():
            raise RuntimeError(
                f"The {self._kernel_name} kernel did not become ready after a restart; "
                "stop this executor and create a new one."
            )
        self._prepare_kernel()

    def stop(self) -> None:
        """Delete the kernel (and stop a server this executor owns). Safe to call more than once."""
        atexit.unregister(self.stop)
        kernel_id, self._kernel_id = self._kernel_id, None
        if kernel_id is not None:
            self._kernel_client.stop()
            try:
                self._jupyter_client.delete_kernel(kernel_id)
            except Exception:  # the server may already be gone
                pass
            self._jupyter_client.close()
        while self._owned:
            self._owned.pop().stop()
