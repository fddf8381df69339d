"""The data types and protocols every code executor shares.

Plain dataclasses on purpose: they cost nothing to import (no pydantic at import time), compare by value,
and print readably. ``asdict``-style dumps are available through :meth:`CodeResult.model_dump`.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Mapping, Optional, Protocol, TypedDict, Union, runtime_checkable

__all__ = (
    "CodeBlock",
    "CodeResult",
    "CommandLineCodeResult",
    "IPythonCodeResult",
    "CodeExtractor",
    "CodeExecutor",
    "CodeExecutionConfig",
)


class _Dumpable:
    """Gives the dataclasses the pydantic-style helpers classic user code calls, and makes a subclass that
    declares fields pydantic-style (annotations, no ``@dataclass``) a dataclass with those fields."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__annotations__", {})
        if own and cls.__module__ != __name__ and "__dataclass_fields__" not in cls.__dict__:
            # in place; keyword-only where Python has it, as pydantic fields are (a field without a default
            # may then follow the inherited ones that have one)
            dataclass(cls, **({"kw_only": True} if sys.version_info >= (3, 10) else {}))  # type: ignore[call-overload]

    def model_dump(self) -> dict[str, Any]:
        dumped: dict[str, Any] = dataclasses.asdict(self)  # type: ignore[call-overload]
        return dumped

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump())

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Any:
        return dataclasses.replace(self, **dict(update or {}))  # type: ignore[type-var]

    @classmethod
    def model_validate(cls, obj: Any) -> Any:
        """An instance from a dict of its fields (or the instance itself)."""
        return obj if isinstance(obj, cls) else cls(**dict(obj))


@dataclass
class CodeBlock(_Dumpable):
    """A piece of code and the language it is written in (e.g. ``"python"``, ``"sh"``)."""

    code: str
    language: str


@dataclass
class CodeResult(_Dumpable):
    """What running code blocks produced: the exit code of the last block run and the collected output."""

    exit_code: int
    output: str


@dataclass
class CommandLineCodeResult(CodeResult):
    """Result of a command-line executor; ``code_file`` is the file the first block was saved to."""

    code_file: Optional[str] = None


@dataclass
class IPythonCodeResult(CodeResult):
    """Result of a Jupyter/IPython executor; ``output_files`` lists the images/HTML files written."""

    output_files: List[str] = field(default_factory=list)


@runtime_checkable
class CodeExtractor(Protocol):
    """Finds the code blocks in a message's content."""

    def extract_code_blocks(self, message: Union[str, List[Dict[str, Any]], None]) -> List[CodeBlock]: ...


@runtime_checkable
class CodeExecutor(Protocol):
    """Runs code blocks and reports their result."""

    @property
    def code_extractor(self) -> CodeExtractor: ...

    def execute_code_blocks(self, code_blocks: List[CodeBlock]) -> CodeResult: ...

    def restart(self) -> None: ...


ExecutorName = Literal["commandline-local", "docker", "commandline-docker", "ipython-embedded", "jupyter-local"]

# The hyphenated keys need the functional TypedDict form.
CodeExecutionConfig = TypedDict(
    "CodeExecutionConfig",
    {
        # new style: an executor instance or the name of one, with its keyword arguments under the same name
        "executor": Union[ExecutorName, CodeExecutor],
        "last_n_messages": Union[int, Literal["auto"]],
        "commandline-local": Dict[str, Any],
        "commandline-docker": Dict[str, Any],
        "docker": Dict[str, Any],
        "ipython-embedded": Dict[str, Any],
        "jupyter-local": Dict[str, Any],
        # classic style
        "work_dir": Optional[str],
        "use_docker": Union[bool, str, List[str], None],
        "timeout": Optional[int],
    },
    total=False,
)
