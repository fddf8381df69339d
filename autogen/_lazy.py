"""Lazy package exports (PEP 562), shared by the package ``__init__`` modules.

A package lists ``name -> module`` and gets a module-level ``__getattr__`` and ``__dir__`` that import the
defining module on first access and memoise the value in the package namespace. Type checkers do not run
``__getattr__``: each package also imports the same names under ``if TYPE_CHECKING:`` so users' tools see the
real classes (``test/test_typing.py`` keeps the two lists in step).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any, Callable


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    submodules: Iterable[str] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package``.

    ``exports`` maps a public name to the module defining it, absolute (``autogen.oai.client``) or relative to
    the package (``.client``). ``submodules`` are reachable as attributes without an explicit import.
    """
    namespace = importlib.import_module(package).__dict__
    subs = frozenset(submodules)

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is not None:
            module = importlib.import_module(module_name, package) if module_name.startswith(".") else None
            value = getattr(module or importlib.import_module(module_name), name)
            namespace[name] = value
            return value
        if name in subs:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports) | subs)

    return __getattr__, __dir__
