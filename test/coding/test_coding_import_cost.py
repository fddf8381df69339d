"""Importing the code execution modules must stay cheap: no docker, pydantic or Jupyter at import time."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["docker", "pydantic", "jupyter_client", "requests", "websocket", "ipykernel", "openai"]


def test_import_loads_no_heavy_dependency() -> None:
    code = (
        "import json, sys\n"
        "import autogen.code_utils, autogen.coding, autogen.coding.jupyter\n"
        "from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor, CodeExecutorFactory, executor_from_config\n"
        "from autogen.coding.jupyter import JupyterConnectionInfo\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
