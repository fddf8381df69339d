"""User functions made importable by generated code, with the packages and imports they need.

``LocalCommandLineCodeExecutor(functions=[...])`` writes the functions into a module inside its working
directory, so code written by an LLM can do ``from functions import my_func``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, List, Sequence, TypeVar, Union

__all__ = (
    "Alias",
    "ImportFromModule",
    "Import",
    "FunctionWithRequirements",
    "FunctionWithRequirementsStr",
    "with_requirements",
    "to_stub",
    "build_python_functions_file",
)

T = TypeVar("T")


@dataclass(frozen=True)
class Alias:
    """``import name as alias`` (or an aliased name inside :class:`ImportFromModule`)."""

    name: str
    alias: str


@dataclass(frozen=True)
class ImportFromModule:
    """``from module import a, b as c``."""

    module: str
    imports: Sequence[Union[str, Alias]]


Import = Union[str, ImportFromModule, Alias]


def import_statement(item: Import) -> str:
    """The Python statement for one import description."""
    if isinstance(item, str):
        return f"import {item}"
    if isinstance(item, Alias):
        return f"import {item.name} as {item.alias}"
    names = ", ".join(n if isinstance(n, str) else f"{n.name} as {n.alias}" for n in item.imports)
    return f"from {item.module} import {names}"


@dataclass
class FunctionWithRequirements(Generic[T]):
    """A Python function plus the pip packages and module-level imports its source needs."""

    func: Callable[..., T]
    python_packages: List[str] = field(default_factory=list)
    global_imports: List[Import] = field(default_factory=list)

    @classmethod
    def from_callable(
        cls,
        func: Callable[..., T],
        python_packages: Sequence[str] = (),
        global_imports: Sequence[Import] = (),
    ) -> FunctionWithRequirements[T]:
        return cls(func=func, python_packages=list(python_packages), global_imports=list(global_imports))

    @staticmethod
    def from_str(
        func: str, python_packages: Sequence[str] = (), global_imports: Sequence[Import] = ()
    ) -> FunctionWithRequirementsStr:
        return FunctionWithRequirementsStr(func, python_packages=python_packages, global_imports=global_imports)

    @property
    def name(self) -> str:
        return self.func.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> T:
        return self.func(*args, **kwargs)


class FunctionWithRequirementsStr:
    """A function given as source text (exactly one top-level ``def``), plus its requirements."""

    def __init__(self, func: str, python_packages: Sequence[str] = (), global_imports: Sequence[Import] = ()) -> None:
        self.func = textwrap.dedent(func)
        self.python_packages = list(python_packages)
        self.global_imports = list(global_imports)
        try:
            tree = ast.parse(self.func)
        except SyntaxError as exc:
            raise ValueError(f"Could not compile function: {exc}. The source must be valid Python.") from exc
        defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if len(defs) != 1:
            raise ValueError(
                f"The string must contain exactly one function. The source defines {len(defs)} top-level functions."
            )
        self._name = defs[0].name
        self._compiled: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def compiled_func(self) -> Callable[..., Any]:
        """The function, compiled (with its global imports) in a private namespace."""
        if self._compiled is None:
            namespace: dict[str, Any] = {}
            source = "\n".join(import_statement(i) for i in self.global_imports) + "\n" + self.func
            exec(compile(source, f"<function {self._name}>", "exec"), namespace)
            self._compiled = namespace[self._name]
        return self._compiled

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "String based function with requirement objects are not directly callable. "
            "A function given as source text runs inside the executor."
        )


AnyFunction = Union[FunctionWithRequirements[Any], FunctionWithRequirementsStr, Callable[..., Any]]


def with_requirements(
    python_packages: Sequence[str] = (), global_imports: Sequence[Import] = ()
) -> Callable[[Callable[..., T]], FunctionWithRequirements[T]]:
    """Decorator declaring the pip packages and imports a function needs inside the executor."""

    def decorate(func: Callable[..., T]) -> FunctionWithRequirements[T]:
        wrapped = FunctionWithRequirements.from_callable(func, python_packages, global_imports)
        functools.update_wrapper(wrapped, func)
        return wrapped

    return decorate


def function_name(func: AnyFunction) -> str:
    if isinstance(func, (FunctionWithRequirements, FunctionWithRequirementsStr)):
        return func.name
    return func.__name__


def function_source(func: AnyFunction) -> str:
    """The source of a function as a module-level ``def``, without its decorators."""
    if isinstance(func, FunctionWithRequirementsStr):
        return func.func
    target = func.func if isinstance(func, FunctionWithRequirements) else func
    try:
        source = textwrap.dedent(inspect.getsource(target))
    except (OSError, TypeError) as exc:
        raise ValueError(
            f"Cannot read the source of {function_name(func)!r} ({exc}); define it in a file, or pass its "
            "source with FunctionWithRequirements.from_str(...)."
        ) from exc
    tree = ast.parse(source)
    node = tree.body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise ValueError(f"{function_name(func)!r} is not defined with a def statement (lambdas are not supported).")
    # node.lineno is the line of "def", after any decorator lines.
    return "\n".join(source.splitlines()[node.lineno - 1 :]) + "\n"


class _Verbatim:
    """Shows a string annotation (from ``from __future__ import annotations``) without quotes."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _plain_signature(signature: inspect.Signature) -> str:
    def unquote(annotation: Any) -> Any:
        return _Verbatim(annotation) if isinstance(annotation, str) else annotation

    params = [p.replace(annotation=unquote(p.annotation)) for p in signature.parameters.values()]
    return str(signature.replace(parameters=params, return_annotation=unquote(signature.return_annotation)))


def to_stub(func: AnyFunction) -> str:
    """A signature-and-docstring stub of the function, for prompts."""
    target: Callable[..., Any]
    if isinstance(func, FunctionWithRequirementsStr):
        target = func.compiled_func
    elif isinstance(func, FunctionWithRequirements):
        target = func.func
    else:
        target = func
    prefix = "async def" if inspect.iscoroutinefunction(target) else "def"
    try:
        signature = _plain_signature(inspect.signature(target))
    except (TypeError, ValueError):
        signature = "(...)"
    # The docstring as written (only dedented), and no newline after "...": the classic prompt text, so
    # format_functions_for_prompt gives the same system message (and cache key) as 0.2 did.
    doc = target.__doc__
    docstring = textwrap.indent(f'"""{textwrap.dedent(doc)}"""', "    ") + "\n" if doc else ""
    return f"{prefix} {target.__name__}{signature}:\n{docstring}    ..."


def requirements_of(funcs: Sequence[AnyFunction]) -> tuple[list[str], list[str]]:
    """(pip packages, import statements) needed by ``funcs``, deduplicated in first-seen order."""
    packages: dict[str, None] = {}
    imports: dict[str, None] = {}
    for func in funcs:
        if isinstance(func, (FunctionWithRequirements, FunctionWithRequirementsStr)):
            packages.update(dict.fromkeys(func.python_packages))
            imports.update(dict.fromkeys(import_statement(i) for i in func.global_imports))
    return list(packages), list(imports)


def build_python_functions_file(funcs: Sequence[AnyFunction]) -> str:
    """The source of the module holding ``funcs`` and their global imports."""
    _, imports = requirements_of(funcs)
    parts = ["# Generated by AutoGen: functions made available to executed code.", *imports, ""]
    parts.extend(function_source(f) + "\n" for f in funcs)
    return "\n".join(parts)


# classic private name
_build_python_functions_file = build_python_functions_file
