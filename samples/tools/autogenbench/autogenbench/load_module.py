"""``load_module(path)``: import a Python file by path (the classic helper scenario scripts use)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Union

from .errors import BenchError

__all__ = ["load_module"]


def load_module(module_path: Union[str, Path]) -> ModuleType:
    """The module defined by the file ``module_path``, freshly executed."""
    path = Path(module_path)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise BenchError(f"Cannot load {str(path)!r} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
