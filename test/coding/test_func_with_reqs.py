"""FunctionWithRequirements, with_requirements and the generated functions module."""

from __future__ import annotations

import pytest

from autogen.coding.func_with_reqs import (
    Alias,
    FunctionWithRequirements,
    ImportFromModule,
    build_python_functions_file,
    to_stub,
    with_requirements,
)


@with_requirements(
    python_packages=["pandas"],
    global_imports=[
        "json",
        Alias("collections", "col"),
        ImportFromModule("typing", ["List", Alias("Dict", "D")]),
    ],
)
def load(path: str, limit: int = 3) -> list:  # type: ignore[type-arg]
    """Load things."""
    return json.loads(path)[:limit]  # type: ignore[name-defined,no-any-return]  # noqa: F821


def plain(x):  # type: ignore[no-untyped-def]
    return x


def test_decorator_keeps_callable_and_metadata() -> None:
    assert isinstance(load, FunctionWithRequirements)
    assert load.python_packages == ["pandas"]
    assert load.__name__ == "load" and load.__doc__ == "Load things."  # type: ignore[attr-defined]

    @with_requirements()
    def double(x: int) -> int:
        return 2 * x

    assert double(21) == 42


def test_stub() -> None:
    assert to_stub(load) == 'def load(path: str, limit: int = 3) -> list:\n    """Load things."""\n    ...'
    assert to_stub(plain) == "def plain(x):\n    ..."


def test_module_source() -> None:
    source = build_python_functions_file([load, plain, load])
    assert source.count("import json\n") == 1
    assert "import collections as col" in source
    assert "from typing import List, Dict as D" in source
    assert "@with_requirements" not in source and "python_packages" not in source
    namespace: dict[str, object] = {}
    exec(compile(source, "functions.py", "exec"), namespace)
    assert namespace["load"]("[5, 6, 7, 8]") == [5, 6, 7]  # type: ignore[operator]
    assert namespace["plain"](4) == 4  # type: ignore[operator]


def test_from_str() -> None:
    func = FunctionWithRequirements.from_str(
        "def area(r: float) -> float:\n    '''Area.'''\n    return pi * r * r\n",
        global_imports=[ImportFromModule("math", ["pi"])],
    )
    assert func.name == "area"
    assert round(func.compiled_func(1.0), 2) == 3.14
    assert to_stub(func).startswith("def area(r: float) -> float:")
    with pytest.raises(NotImplementedError):
        func()
    with pytest.raises(ValueError, match="exactly one"):
        FunctionWithRequirements.from_str("x = 1\n")
    with pytest.raises(ValueError, match="Could not compile function"):
        FunctionWithRequirements.from_str("def broken(:\n")


def test_lambda_is_rejected_with_a_reason() -> None:
    with pytest.raises(ValueError, match="lambda|def"):
        build_python_functions_file([lambda x: x])
