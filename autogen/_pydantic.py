"""Classic pydantic helpers (``autogen._pydantic``): one API over pydantic v2 and v1.

This module imports pydantic; ``import autogen`` does not load it (``function_utils`` reaches pydantic
lazily). It also holds the classic tool-schema models ``Parameters``, ``Function`` and ``ToolFunction``
that ``autogen.function_utils`` exposes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Union

from pydantic import BaseModel, Field
from pydantic.version import VERSION as PYDANTIC_VERSION
from typing_extensions import Annotated, Literal

from .function_utils import JsonSchemaValue, _model_dump, _model_dump_json, _type2schema

__all__ = (
    "JsonSchemaValue",
    "PYDANTIC_V1",
    "model_dump",
    "model_dump_json",
    "type2schema",
    "evaluate_forwardref",
    "Parameters",
    "Function",
    "ToolFunction",
)

PYDANTIC_V1 = PYDANTIC_VERSION.startswith("1.")


def type2schema(t: Any) -> JsonSchemaValue:
    """The JSON schema of the type ``t`` (as pydantic produces it)."""
    return _type2schema(t)


def model_dump(model: Union[BaseModel, Dict[str, Any]]) -> Dict[str, Any]:
    """``model`` as a dict (``model_dump()`` on v2, ``dict()`` on v1).

    A dict is returned as it is, where classic raised ``AttributeError``: what the schema helpers hand out is
    dicts (``get_function_schema`` and the ``parameters`` inside it), and code that dumps whatever it got, a model or
    the dict made of one, works either way. Nothing in the package relies on it (listed in docs/compatibility.md)."""
    if isinstance(model, dict):
        return model
    return _model_dump(model)  # type: ignore[no-any-return]


def model_dump_json(model: BaseModel) -> str:
    """``model`` as a JSON string."""
    return _model_dump_json(model)


def evaluate_forwardref(value: Any, globalns: Any = None, localns: Any = None) -> Any:
    """Evaluate a forward reference (a string or ``typing.ForwardRef``) in ``globalns``."""
    from .function_utils import get_typed_annotation

    return get_typed_annotation(value, {**(globalns or {}), **(localns or {})})


class Parameters(BaseModel):
    """Parameters of a function as defined by the OpenAI API."""

    if PYDANTIC_V1:

        class Config:
            extra = "allow"  # "$defs" of recursive models

    else:
        model_config = {"extra": "allow"}  # "$defs" of recursive models

    type: Literal["object"] = "object"
    properties: Dict[str, JsonSchemaValue]
    required: List[str]


class Function(BaseModel):
    """A function as defined by the OpenAI API."""

    description: Annotated[str, Field(description="Description of the function")]
    name: Annotated[str, Field(description="Name of the function")]
    parameters: Annotated[Parameters, Field(description="Parameters of the function")]


class ToolFunction(BaseModel):
    """A function under tool as defined by the OpenAI API."""

    type: Literal["function"] = "function"
    function: Annotated[Function, Field(description="Function under tool")]
