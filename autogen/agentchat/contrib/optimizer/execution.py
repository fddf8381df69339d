"""Running a function written by the optimizer model: in a separate process, never in this one.

The function's code runs through :func:`autogen.code_utils.execute_code` (Docker by default, or locally
with ``use_docker=False`` / ``AUTOGEN_USE_DOCKER=False``), in a script that installs its missing packages,
calls it with the JSON arguments and prints what it returns. The script's output is the call's result; a
failure raises, so the calling agent sees an ``Error: ...`` message.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional

from .functions import FunctionSpec

__all__ = ["FunctionExecutionError", "function_script", "make_executor"]

_INSTALL = """import importlib.util as _util
import subprocess as _subprocess
import sys as _sys
for _package in {packages!r}:
    _module = _package.split("[")[0].split("=")[0].split("<")[0].split(">")[0].replace("-", "_")
    if _util.find_spec(_module) is None:
        _subprocess.run([_sys.executable, "-m", "pip", "install", "-q", _package], check=False)
"""

_CALL = """
import json as _json
_arguments = _json.loads({arguments!r})
_result = {name}(**_arguments)
if _result is not None:
    print(_result)
"""


class FunctionExecutionError(RuntimeError):
    """The function's script failed; the message holds its output."""


def function_script(spec: FunctionSpec, arguments: Dict[str, Any]) -> str:
    """The Python script that runs ``spec`` with ``arguments`` and prints its result."""
    install = _INSTALL.format(packages=spec.packages.split()) if spec.packages else ""
    return install + spec.code + "\n" + _CALL.format(arguments=json.dumps(arguments), name=spec.name)


def make_executor(spec: FunctionSpec, execution_config: Optional[Dict[str, Any]] = None) -> Callable[..., str]:
    """A callable ``(**arguments) -> output`` for an executor's function map.

    ``execution_config``: ``use_docker``, ``work_dir`` and ``timeout`` for ``execute_code``.
    """
    options = {k: v for k, v in (execution_config or {}).items() if k in ("use_docker", "work_dir", "timeout")}

    def run_function(**arguments: Any) -> str:
        from ....code_utils import execute_code

        exit_code, output, _ = execute_code(function_script(spec, arguments), lang="python", **options)
        if exit_code != 0:
            raise FunctionExecutionError(f"the function {spec.name} failed (exit code {exit_code}):\n{output}")
        return output

    run_function.__name__ = spec.name
    run_function.__doc__ = spec.description
    return run_function
