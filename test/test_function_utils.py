from __future__ import annotations

import asyncio
import dataclasses
import enum
import inspect
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, Dict, List, Literal, Optional, Tuple, Union

import pytest
from pydantic import BaseModel, Field

from autogen.function_utils import (
    _type2schema_v1,
    get_default_values,
    get_function_schema,
    get_load_param_if_needed_function,
    get_missing_annotations,
    get_param_annotations,
    get_parameter_json_schema,
    get_parameters,
    get_required_params,
    get_typed_annotation,
    get_typed_return_annotation,
    get_typed_signature,
    load_basemodels_if_needed,
    serialize_to_str,
)

# This module uses `from __future__ import annotations`, so every annotation below arrives as a string
# and exercises the evaluation in get_typed_signature.

CurrencySymbol = Literal["USD", "EUR"]


class Currency(BaseModel):
    currency: Annotated[CurrencySymbol, Field(..., description="Currency code")]
    amount: Annotated[float, Field(100.0, description="Amount of money in the currency")] = 100.0


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Item(BaseModel):
    name: str
    color: Color = Color.RED


class Order(BaseModel):
    items: List[Item]
    note: Optional[str] = None


class Node(BaseModel):
    value: int
    children: List[Node] = []


@dataclasses.dataclass
class Point:
    x: int
    y: int


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["function"]["parameters"]["properties"]


def _assert_no_refs(node: Any) -> None:
    assert "$ref" not in json.dumps(node)


# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------


def f_helpers(a: Annotated[str, "Parameter a"], b: int = 2, *args: Any, c, d=3, **kwargs: Any) -> str:  # type: ignore[no-untyped-def]
    return a


def test_typed_signature_evaluates_string_annotations() -> None:
    sig = get_typed_signature(f_helpers)
    assert sig.parameters["a"].annotation == Annotated[str, "Parameter a"]
    assert sig.parameters["b"].annotation is int
    assert sig.parameters["c"].annotation is inspect.Parameter.empty
    assert get_typed_return_annotation(f_helpers) is str
    assert get_typed_annotation("Optional[int]", globals()) == Optional[int]
    assert get_typed_annotation(int, {}) is int


def test_helper_functions() -> None:
    sig = get_typed_signature(f_helpers)
    assert get_required_params(sig) == ["a", "c"]  # *args / **kwargs are not tool parameters
    assert get_default_values(sig) == {"b": 2, "d": 3}
    assert get_param_annotations(sig) == {"a": Annotated[str, "Parameter a"], "b": int}
    assert get_missing_annotations(sig, get_required_params(sig)) == ({"c"}, {"d"})


def test_return_annotation_missing_is_none() -> None:
    def f(a: int):  # type: ignore[no-untyped-def]
        return a

    assert get_typed_return_annotation(f) is None


def test_unresolvable_annotation_names_parameter_and_function() -> None:
    def f(a: DoesNotExist) -> str:  # type: ignore[name-defined] # noqa: F821
        return ""

    with pytest.raises(TypeError, match=r"Parameter 'a' of function 'f'.*DoesNotExist"):
        get_typed_signature(f)


def test_get_parameter_json_schema() -> None:
    assert get_parameter_json_schema("a", Annotated[str, "Parameter a"], {}) == {
        "type": "string",
        "description": "Parameter a",
    }
    assert get_parameter_json_schema("b", int, {"b": 2}) == {"type": "integer", "description": "b", "default": 2}


def test_get_parameters() -> None:
    params = get_parameters(["a"], {"a": Annotated[str, "A"], "b": int}, {"b": 1})
    assert type(params).__name__ == "Parameters"  # the classic pydantic model
    assert params.model_dump() == {
        "type": "object",
        "properties": {
            "a": {"type": "string", "description": "A"},
            "b": {"type": "integer", "description": "b", "default": 1},
        },
        "required": ["a"],
    }


# ---------------------------------------------------------------------------------------------------
# get_function_schema
# ---------------------------------------------------------------------------------------------------


def g(  # type: ignore[empty-body]
    a: Annotated[str, "Parameter a"],
    b: int = 2,
    c: Annotated[float, "Parameter c"] = 0.1,
    *,
    d: Dict[str, Tuple[Optional[int], List[float]]] = {},  # noqa: B006
) -> str:
    pass


def test_get_function_schema_classic_shape() -> None:
    expected = {
        "type": "function",
        "function": {
            "description": "function g",
            "name": "fancy name for g",
            "parameters": {
                "type": "object",
                "properties": {
                    "a": {"type": "string", "description": "Parameter a"},
                    "b": {"type": "integer", "description": "b", "default": 2},
                    "c": {"type": "number", "description": "Parameter c", "default": 0.1},
                    "d": {
                        "additionalProperties": {
                            "maxItems": 2,
                            "minItems": 2,
                            "prefixItems": [
                                {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                                {"items": {"type": "number"}, "type": "array"},
                            ],
                            "type": "array",
                        },
                        "type": "object",
                        "description": "d",
                        "default": {},
                    },
                },
                "required": ["a"],
            },
        },
    }
    assert get_function_schema(g, description="function g", name="fancy name for g") == expected
    assert get_function_schema(g, description="function g")["function"]["name"] == "g"


def test_optional_literal_list_dict_union() -> None:
    def f(
        o: Annotated[Optional[int], "maybe"] = None,
        lit: Literal["x", "y"] = "x",
        lst: list[str] = [],  # noqa: B006
        old_lst: Annotated[List[int], "ints"] = [1],  # noqa: B006
        dct: dict[str, int] = {},  # noqa: B006
        u: Union[int, str] = 1,
    ) -> str:
        return ""

    props = _properties(get_function_schema(f, description="f"))
    assert props["o"] == {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "maybe", "default": None}
    assert props["lit"] == {"enum": ["x", "y"], "type": "string", "description": "lit", "default": "x"}
    assert props["lst"] == {"items": {"type": "string"}, "type": "array", "description": "lst", "default": []}
    assert props["old_lst"] == {"items": {"type": "integer"}, "type": "array", "description": "ints", "default": [1]}
    assert props["dct"] == {
        "additionalProperties": {"type": "integer"},
        "type": "object",
        "description": "dct",
        "default": {},
    }
    assert props["u"] == {"anyOf": [{"type": "integer"}, {"type": "string"}], "description": "u", "default": 1}
    assert get_function_schema(f, description="f")["function"]["parameters"]["required"] == []


def test_pydantic_model_parameter_classic_shape() -> None:
    def currency_calculator(
        base: Annotated[Currency, "Base currency: amount and currency symbol"],
        quote_currency: Annotated[CurrencySymbol, "Quote currency symbol"] = "EUR",
    ) -> Currency:
        return base

    expected = {
        "description": "Currency exchange calculator.",
        "name": "currency_calculator",
        "parameters": {
            "type": "object",
            "properties": {
                "base": {
                    "properties": {
                        "currency": {
                            "description": "Currency code",
                            "enum": ["USD", "EUR"],
                            "title": "Currency",
                            "type": "string",
                        },
                        "amount": {
                            "default": 100.0,
                            "description": "Amount of money in the currency",
                            "title": "Amount",
                            "type": "number",
                        },
                    },
                    "required": ["currency"],
                    "title": "Currency",
                    "type": "object",
                    "description": "Base currency: amount and currency symbol",
                },
                "quote_currency": {
                    "enum": ["USD", "EUR"],
                    "type": "string",
                    "default": "EUR",
                    "description": "Quote currency symbol",
                },
            },
            "required": ["base"],
        },
    }
    schema = get_function_schema(currency_calculator, description="Currency exchange calculator.")
    assert schema["function"] == expected


def test_nested_models_are_inlined() -> None:
    def place(order: Annotated[Order, "The order"], color: Color = Color.BLUE) -> str:
        return ""

    params = get_function_schema(place, description="place")["function"]["parameters"]
    _assert_no_refs(params)
    assert "$defs" not in params
    order = params["properties"]["order"]
    assert order["description"] == "The order"
    item = order["properties"]["items"]["items"]
    assert item["properties"]["name"] == {"title": "Name", "type": "string"}
    assert item["properties"]["color"]["enum"] == ["red", "blue"]
    assert item["properties"]["color"]["default"] == "red"
    # enum defaults are written by value
    assert params["properties"]["color"]["default"] == "blue"
    assert params["properties"]["color"]["enum"] == ["red", "blue"]


def test_recursive_model_keeps_refs_resolvable() -> None:
    def walk(tree: Annotated[Node, "A tree"]) -> int:
        return 0

    params = get_function_schema(walk, description="walk")["function"]["parameters"]
    tree = params["properties"]["tree"]
    assert tree["description"] == "A tree"
    assert tree["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert params["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}


def test_dataclass_parameter() -> None:
    def dist(p: Annotated[Point, "A point"]) -> float:
        return 0.0

    prop = _properties(get_function_schema(dist, description="dist"))["p"]
    assert prop["type"] == "object"
    assert set(prop["properties"]) == {"x", "y"}
    assert prop["required"] == ["x", "y"]
    assert prop["description"] == "A point"


def test_field_description_kept_and_non_jsonable_default_dropped() -> None:
    sentinel = object()

    def f(n: Annotated[int, Field(description="from Field", ge=0)] = 1, s: Any = sentinel) -> str:
        return ""

    props = _properties(get_function_schema(f, description="f"))
    assert props["n"] == {"description": "from Field", "minimum": 0, "type": "integer", "default": 1}
    assert "default" not in props["s"]


def test_missing_type_hint_is_a_type_error() -> None:
    def f(a, b, c: int, d=1) -> str:  # type: ignore[no-untyped-def]
        return ""

    with pytest.raises(TypeError) as info:
        get_function_schema(f, description="f")
    message = str(info.value)
    assert "'f'" in message
    assert "'a', 'b'" in message
    assert "'c'" not in message


def test_warnings_for_missing_return_and_unannotated_default(caplog: pytest.LogCaptureFixture) -> None:
    def f(a: int, b=2):  # type: ignore[no-untyped-def]
        return a

    with caplog.at_level(logging.WARNING, logger="autogen.function_utils"):
        schema = get_function_schema(f, description="f")
    assert "return type of the function 'f' is not annotated" in caplog.text
    assert "'b'" in caplog.text
    assert set(_properties(schema)) == {"a"}


def test_pydantic_v1_schema_shim() -> None:
    pytest.importorskip("pydantic.v1")
    assert _type2schema_v1(Annotated[Optional[int], "x"]) == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert _type2schema_v1(Literal["a", "b"]) == {"enum": ["a", "b"], "type": "string"}
    assert _type2schema_v1(Dict[str, Tuple[int, str]]) == {
        "type": "object",
        "additionalProperties": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "prefixItems": [{"type": "integer"}, {"type": "string"}],
        },
    }


# ---------------------------------------------------------------------------------------------------
# load_basemodels_if_needed
# ---------------------------------------------------------------------------------------------------


def test_get_load_param_if_needed_function() -> None:
    assert get_load_param_if_needed_function(int) is None
    assert get_load_param_if_needed_function(Annotated[str, "x"]) is None
    loader = get_load_param_if_needed_function(Annotated[Currency, "x"])
    assert loader is not None
    value = loader({"currency": "USD", "amount": 1}, Annotated[Currency, "x"])
    assert value == Currency(currency="USD", amount=1)


def test_load_basemodels_sync() -> None:
    def convert(
        base: Annotated[Currency, "Base"], quote: CurrencySymbol = "EUR", order: Optional[Order] = None
    ) -> Currency:
        assert isinstance(base, Currency)
        assert order is None or isinstance(order.items[0], Item)
        return Currency(currency=quote, amount=base.amount * 2)

    wrapped = load_basemodels_if_needed(convert)
    assert wrapped.__name__ == "convert"
    assert wrapped.__wrapped__ is convert  # type: ignore[attr-defined]
    assert not inspect.iscoroutinefunction(wrapped)
    assert wrapped(base={"currency": "USD", "amount": 3}) == Currency(currency="EUR", amount=6)
    # positional arguments, JSON strings, ready instances, and containers of models
    assert wrapped({"currency": "USD", "amount": 1}, "USD").amount == 2
    assert wrapped(base='{"currency": "USD", "amount": 5}').amount == 10
    assert wrapped(base=Currency(currency="USD", amount=2)).amount == 4
    order = {"items": [{"name": "pen", "color": "blue"}]}
    assert wrapped(base={"currency": "USD"}, order=order).amount == 200


def test_load_basemodels_dataclass_and_list() -> None:
    def total(points: List[Point], origin: Point) -> int:
        assert isinstance(origin, Point)
        return sum(p.x + p.y for p in points) - origin.x

    wrapped = load_basemodels_if_needed(total)
    assert wrapped(points=[{"x": 1, "y": 2}, {"x": 3, "y": 4}], origin={"x": 1, "y": 0}) == 9


def test_load_basemodels_async() -> None:
    async def convert(base: Annotated[Currency, "Base"]) -> float:
        assert isinstance(base, Currency)
        await asyncio.sleep(0)
        return base.amount

    wrapped = load_basemodels_if_needed(convert)
    assert inspect.iscoroutinefunction(wrapped)
    assert wrapped.__name__ == "convert"
    assert asyncio.run(wrapped(base={"currency": "EUR", "amount": 7})) == 7


def test_load_basemodels_without_models_passes_through() -> None:
    def add(a: int, b: int = 1) -> int:
        return a + b

    wrapped = load_basemodels_if_needed(add)
    assert wrapped(1) == 2
    assert wrapped(a=1, b=5) == 6


# ---------------------------------------------------------------------------------------------------
# serialize_to_str
# ---------------------------------------------------------------------------------------------------


def test_serialize_to_str() -> None:
    assert serialize_to_str("abc") == "abc"
    assert serialize_to_str(1) == "1"
    assert serialize_to_str(None) == "null"
    assert serialize_to_str({"a": "héllo"}) == '{"a": "héllo"}'
    assert serialize_to_str([1, 2]) == "[1, 2]"
    assert json.loads(serialize_to_str(Currency(currency="USD", amount=1))) == {"currency": "USD", "amount": 1.0}
    assert json.loads(serialize_to_str(Point(1, 2))) == {"x": 1, "y": 2}
    obj = object()
    assert serialize_to_str(obj) == str(obj)
    assert serialize_to_str({1, 2}) in ("{1, 2}", "{2, 1}")


# ---------------------------------------------------------------------------------------------------
# import cost
# ---------------------------------------------------------------------------------------------------


def test_import_does_not_load_pydantic() -> None:
    code = "import sys, autogen.function_utils; print('pydantic' in sys.modules, 'openai' in sys.modules)"
    repo = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo).stdout
    assert out.split() == ["False", "False"]
