"""Turn Python functions into OpenAI tool schemas, and adapt tool arguments and results.

``get_function_schema`` reads a function's signature: each parameter's type becomes a JSON schema, its
``Annotated[T, "description"]`` string becomes the description, and parameters without a default are
required. ``load_basemodels_if_needed`` turns JSON arguments back into pydantic models (or dataclasses)
before the function runs, and ``serialize_to_str`` turns what it returns into the text sent to the model.

Decisions (classic AutoGen 0.2 behaviour unless said otherwise):

* A required parameter without a type hint is a ``TypeError`` naming the function and the parameters.
  A parameter with a default but no type hint is left out of the schema, with a warning.
* The description is the first string in the ``Annotated`` metadata (classic required it to be the
  first item). Without one, a description pydantic already puts in the schema
  (``Annotated[int, Field(description=...)]``, a model's docstring) is kept, else the parameter's name
  is used (classic).
* ``"default"`` is written only when the default is JSON-able (enums by value, models and dataclasses
  dumped); otherwise it is left out instead of producing a schema that cannot be sent.
* ``$defs`` of nested models are inlined into each parameter, so every property is self-contained;
  only recursive models keep a ``$ref``, and their definitions move to ``parameters["$defs"]``, where
  ``#/$defs/Name`` resolves.
* ``*args`` and ``**kwargs`` are not tool parameters: they are neither in the schema nor required.

pydantic is imported only inside the functions that need it, so importing this module stays cheap;
pydantic v2 and v1 are both supported.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import functools
import inspect
import json
import logging
import sys
from typing import Annotated, Any, Callable, Dict, Optional, TypeVar, get_args, get_origin

__all__ = [
    "JsonSchemaValue",
    "get_default_values",
    "get_function_schema",
    "get_load_param_if_needed_function",
    "get_missing_annotations",
    "get_param_annotations",
    "get_parameter_json_schema",
    "get_parameters",
    "get_required_params",
    "get_typed_annotation",
    "get_typed_return_annotation",
    "get_typed_signature",
    "load_basemodels_if_needed",
    "serialize_to_str",
]

# names the classic module re-exported from autogen._pydantic (imported on first use)
_PYDANTIC_MODELS = (
    "Function",
    "Parameters",
    "ToolFunction",
    "evaluate_forwardref",
    "model_dump",
    "model_dump_json",
    "type2schema",
)


def __getattr__(name: str) -> Any:
    # The classic pydantic models of a tool schema live in autogen._pydantic (imported on first use).
    if name in _PYDANTIC_MODELS:
        from . import _pydantic

        return getattr(_pydantic, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


logger = logging.getLogger(__name__)

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
JsonSchemaValue = Dict[str, Any]

_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


# ---------------------------------------------------------------------------------------------------
# signatures
# ---------------------------------------------------------------------------------------------------


def _globals_of(call: Callable[..., Any]) -> dict[str, Any]:
    """The namespace in which the annotations of ``call`` were written."""
    target: Any = inspect.unwrap(call)
    if isinstance(target, functools.partial):
        target = inspect.unwrap(target.func)
    namespace = getattr(target, "__globals__", None)
    if namespace is None and not inspect.isroutine(target):
        # a class (annotations of __init__) or a callable object (annotations of __call__)
        method = getattr(target, "__init__" if inspect.isclass(target) else "__call__", None)
        namespace = getattr(method, "__globals__", None)
    if namespace is None:
        module = sys.modules.get(getattr(target, "__module__", None) or "")
        namespace = vars(module) if module is not None else {}
    return namespace


def get_typed_annotation(annotation: Any, globalns: dict[str, Any]) -> Any:
    """Evaluate a string annotation (``from __future__ import annotations``) in ``globalns``."""
    if not isinstance(annotation, str):
        return annotation
    namespace = globalns if "__builtins__" in globalns else {**globalns}
    try:
        return eval(annotation, namespace)  # noqa: S307 - this is how typing evaluates forward references
    except Exception as exc:
        hint = ""
        if "|" in annotation and sys.version_info < (3, 10):
            hint = " (the 'X | Y' syntax needs Python >= 3.10; use Optional[X] or Union[X, Y])"
        raise TypeError(
            f"Cannot evaluate the type annotation {annotation!r}: {type(exc).__name__}: {exc}{hint}. "
            "Types used in annotations must be importable from the function's module."
        ) from exc


def _function_name(f: Any) -> str:
    name = getattr(f, "__name__", None)
    if isinstance(name, str):
        return name
    if isinstance(f, functools.partial):
        return _function_name(f.func)
    return type(f).__name__


def get_typed_signature(call: Callable[..., Any]) -> inspect.Signature:
    """The signature of ``call`` with string annotations evaluated (the return annotation is dropped)."""
    signature = inspect.signature(call)
    globalns = _globals_of(call)
    params = []
    for param in signature.parameters.values():
        try:
            annotation = get_typed_annotation(param.annotation, globalns)
        except TypeError as exc:
            raise TypeError(f"Parameter '{param.name}' of function '{_function_name(call)}': {exc}") from exc
        params.append(param.replace(annotation=annotation))
    return inspect.Signature(params)


def get_typed_return_annotation(call: Callable[..., Any]) -> Any:
    """The evaluated return annotation of ``call``, or ``None`` when it has none."""
    annotation = inspect.signature(call).return_annotation
    if annotation is inspect.Signature.empty:
        return None
    try:
        return get_typed_annotation(annotation, _globals_of(call))
    except TypeError as exc:
        raise TypeError(f"Return annotation of function '{_function_name(call)}': {exc}") from exc


def _tool_params(typed_signature: inspect.Signature) -> list[inspect.Parameter]:
    return [p for p in typed_signature.parameters.values() if p.kind not in _VARIADIC]


def get_param_annotations(typed_signature: inspect.Signature) -> dict[str, Any]:
    """The annotation of every annotated parameter (``Annotated[...]`` wrappers kept)."""
    return {p.name: p.annotation for p in _tool_params(typed_signature) if p.annotation is not inspect.Parameter.empty}


def get_required_params(typed_signature: inspect.Signature) -> list[str]:
    """The names of the parameters without a default value, in order."""
    return [p.name for p in _tool_params(typed_signature) if p.default is inspect.Parameter.empty]


def get_default_values(typed_signature: inspect.Signature) -> dict[str, Any]:
    """The default value of every parameter that has one."""
    return {p.name: p.default for p in _tool_params(typed_signature) if p.default is not inspect.Parameter.empty}


def get_missing_annotations(typed_signature: inspect.Signature, required: list[str]) -> tuple[set[str], set[str]]:
    """``(required parameters without a type hint, optional parameters without a type hint)``."""
    unannotated = {p.name for p in _tool_params(typed_signature) if p.annotation is inspect.Parameter.empty}
    missing = unannotated & set(required)
    return missing, unannotated - missing


# ---------------------------------------------------------------------------------------------------
# pydantic (imported lazily; v2 and v1)
# ---------------------------------------------------------------------------------------------------


def _pydantic_is_v1() -> bool:
    import pydantic

    return str(pydantic.VERSION).startswith("1.")


def _loaded_model_bases() -> tuple[type, ...]:
    """The pydantic ``BaseModel`` classes already imported (no model can exist before its base is)."""
    bases: list[type] = []
    for module_name in ("pydantic.main", "pydantic.v1.main"):
        base = getattr(sys.modules.get(module_name), "BaseModel", None)
        if isinstance(base, type) and base not in bases:
            bases.append(base)
    return tuple(bases)


def _is_model_class(t: Any) -> bool:
    if not isinstance(t, type) or get_origin(t) is not None:
        return False
    bases = _loaded_model_bases()
    try:
        return bool(bases) and issubclass(t, bases)
    except TypeError:
        return False


def _is_model_instance(x: Any) -> bool:
    bases = _loaded_model_bases()
    return bool(bases) and isinstance(x, bases)


def _model_dump_json(model: Any) -> str:
    dump_json = getattr(model, "model_dump_json", None)
    return str(dump_json()) if dump_json is not None else str(model.json())


def _model_dump(model: Any) -> Any:
    dump = getattr(model, "model_dump", None)
    return dump(mode="json") if dump is not None else json.loads(model.json())


def _type2schema_v1(t: Any) -> JsonSchemaValue:
    """JSON schema of a type with the pydantic v1 API (``schema_of``), shaped like v2's output."""
    try:
        from pydantic.v1 import schema_of
    except ImportError:  # pydantic < 1.10.17 has no v1 namespace
        from pydantic import schema_of  # type: ignore[no-redef,assignment,unused-ignore]

    if t is None or t is type(None):
        return {"type": "null"}
    base = _strip_annotated(t)
    if _is_union(base):
        return {"anyOf": [_type2schema_v1(arg) for arg in get_args(base)]}
    if get_origin(base) is tuple and get_args(base) and get_args(base)[-1] is not Ellipsis:
        items = [_type2schema_v1(arg) for arg in get_args(base)]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    schema: JsonSchemaValue = _v1_tuples_to_prefix_items(schema_of(t))
    # schema_of titles the root "ParsingModel[...]"; like v2, name models and enums, leave the rest untitled
    if _is_model_class(base) or (isinstance(base, type) and issubclass(base, enum.Enum)):
        schema["title"] = base.__name__
    else:
        schema.pop("title", None)
    return schema


def _v1_tuples_to_prefix_items(node: Any) -> Any:
    """pydantic v1 writes fixed tuples as ``"items": [...]``; JSON schema 2020-12 says ``prefixItems``."""
    if isinstance(node, list):
        return [_v1_tuples_to_prefix_items(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _v1_tuples_to_prefix_items(v) for k, v in node.items()}
    if isinstance(out.get("items"), list):
        out["prefixItems"] = out.pop("items")
    return out


def _type2schema(t: Any) -> JsonSchemaValue:
    """JSON schema of a type (with ``$defs`` as pydantic produces them)."""
    if t is None or t is type(None):
        return {"type": "null"}
    if _pydantic_is_v1():
        return _type2schema_v1(t)
    from pydantic import TypeAdapter

    schema: JsonSchemaValue = TypeAdapter(t).json_schema()
    return schema


# ---------------------------------------------------------------------------------------------------
# types
# ---------------------------------------------------------------------------------------------------


def _strip_annotated(t: Any) -> Any:
    while get_origin(t) is Annotated:
        t = get_args(t)[0]
    return t


def _is_union(t: Any) -> bool:
    import types
    from typing import Union

    return get_origin(t) is Union or (hasattr(types, "UnionType") and isinstance(t, types.UnionType))


def _annotated_description(t: Any) -> Optional[str]:
    """The first string in the ``Annotated`` metadata of ``t``."""
    if get_origin(t) is not Annotated:
        return None
    for item in getattr(t, "__metadata__", ()):
        if isinstance(item, str):
            return item
    return _annotated_description(get_args(t)[0])


def _contains_type(t: Any, predicate: Callable[[Any], bool], depth: int = 0) -> bool:
    t = _strip_annotated(t)
    if predicate(t):
        return True
    if depth > 20:
        return False
    return any(_contains_type(arg, predicate, depth + 1) for arg in get_args(t) if not isinstance(arg, (str, bytes)))


def _is_dataclass_type(t: Any) -> bool:
    return isinstance(t, type) and get_origin(t) is None and dataclasses.is_dataclass(t)


# ---------------------------------------------------------------------------------------------------
# schemas
# ---------------------------------------------------------------------------------------------------


def _jsonable_default(value: Any) -> tuple[bool, Any]:
    """``(True, JSON value)`` for a default that can go into a schema, else ``(False, None)``."""
    if isinstance(value, enum.Enum):
        value = value.value
    elif _is_model_instance(value):
        value = _model_dump(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    elif isinstance(value, tuple):
        value = list(value)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False, None
    return True, value


_REF_PREFIXES = ("#/$defs/", "#/definitions/")


def _ref_name(ref: Any) -> Optional[str]:
    if isinstance(ref, str):
        for prefix in _REF_PREFIXES:
            if ref.startswith(prefix):
                return ref[len(prefix) :]
    return None


def _inline_refs(node: Any, defs: dict[str, Any], expanding: frozenset[str], kept: set[str]) -> Any:
    """Replace ``$ref``s to ``defs`` by their definitions; references into a cycle stay, named in ``kept``."""
    if isinstance(node, list):
        return [_inline_refs(item, defs, expanding, kept) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline_refs(v, defs, expanding, kept) for k, v in node.items() if k != "$ref"}
    name = _ref_name(node.get("$ref"))
    if name is None or name not in defs:
        if "$ref" in node:
            out["$ref"] = node["$ref"]
        return out
    if name in expanding:
        kept.add(name)
        out["$ref"] = f"#/$defs/{name}"
        return out
    target = _inline_refs(copy.deepcopy(defs[name]), defs, expanding | {name}, kept)
    return {**target, **out}


def _split_defs(schema: JsonSchemaValue) -> tuple[JsonSchemaValue, dict[str, Any]]:
    schema = dict(schema)
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        defs.update(schema.pop(key, None) or {})
    return schema, defs


def get_parameter_json_schema(k: str, v: Any, default_values: dict[str, Any]) -> JsonSchemaValue:
    """The JSON schema of parameter ``k`` annotated with ``v`` (``$defs`` as pydantic produces them)."""
    schema = _type2schema(v)
    description = _annotated_description(v)
    if description is not None or not isinstance(schema.get("description"), str):
        schema["description"] = description if description is not None else k
    if k in default_values:
        value = default_values[k]
        if _is_model_instance(value):
            schema["default"] = value  # as classic; get_parameters puts its JSON in the tool schema
        else:
            ok, default = _jsonable_default(value)
            if ok:
                schema["default"] = default
    return schema


def get_parameters(required: list[str], param_annotations: dict[str, Any], default_values: dict[str, Any]) -> Any:
    """The ``parameters`` of a tool schema as the classic pydantic model ``Parameters`` (``type``, ``properties``,
    ``required``; ``model_dump()`` gives the dict). Importing pydantic is left to this call."""
    from ._pydantic import Parameters

    return Parameters(**_parameters_schema(required, param_annotations, default_values))


def _parameters_schema(
    required: list[str], param_annotations: dict[str, Any], default_values: dict[str, Any]
) -> JsonSchemaValue:
    """The ``parameters`` object of a tool schema: ``{"type": "object", "properties", "required"}``."""
    properties: dict[str, Any] = {}
    shared_defs: dict[str, Any] = {}  # definitions a recursive model still refers to
    shared_sources: dict[str, Any] = {}
    for k, v in param_annotations.items():
        if v is inspect.Parameter.empty:
            continue
        schema, defs = _split_defs(get_parameter_json_schema(k, v, default_values))
        if "default" in schema and _is_model_instance(schema["default"]):
            schema["default"] = _jsonable_default(schema["default"])[1]
        kept: set[str] = set()
        properties[k] = _inline_refs(schema, defs, frozenset(), kept)
        pending = sorted(kept)
        while pending:
            name = pending.pop()
            if name in shared_sources:
                if _json_differs(shared_sources[name], defs[name]):
                    logger.warning("Two different recursive models named '%s' are used by one function.", name)
                continue
            more: set[str] = set()
            shared_sources[name] = defs[name]
            shared_defs[name] = _inline_refs(copy.deepcopy(defs[name]), defs, frozenset({name}), more)
            pending.extend(sorted(more - set(shared_sources)))
    parameters: JsonSchemaValue = {
        "type": "object",
        "properties": properties,
        "required": [k for k in required if k in properties],
    }
    if shared_defs:
        parameters["$defs"] = shared_defs
    return parameters


def _json_differs(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) != json.dumps(b, sort_keys=True, default=str)


def get_function_schema(f: Callable[..., Any], *, name: Optional[str] = None, description: str) -> dict[str, Any]:
    """The OpenAI tool schema of ``f``.

    Example::

        def f(a: Annotated[str, "Parameter a"], b: int = 2) -> str: ...

        get_function_schema(f, description="function f")
        # {"type": "function", "function": {"description": "function f", "name": "f", "parameters": {
        #     "type": "object",
        #     "properties": {"a": {"type": "string", "description": "Parameter a"},
        #                    "b": {"type": "integer", "description": "b", "default": 2}},
        #     "required": ["a"]}}}

    Raises:
        TypeError: a parameter without a default has no type hint, or an annotation cannot be evaluated.
        ValueError: ``description`` is not a string.
    """
    fname = _function_name(f)
    if not isinstance(description, str):  # classic: pydantic's ValidationError, a ValueError
        raise ValueError(
            f"The description of the function '{fname}' must be a string, got {type(description).__name__}: "
            "pass description='what the function does'."
        )
    typed_signature = get_typed_signature(f)
    required = get_required_params(typed_signature)
    default_values = get_default_values(typed_signature)
    param_annotations = get_param_annotations(typed_signature)
    missing, unannotated_with_default = get_missing_annotations(typed_signature, required)

    # classic order: both warnings, then the error; whole sentences formatted here, as classic code checks the
    # logged text (and mocks logger.warning)
    if get_typed_return_annotation(f) is None:
        logger.warning(
            f"The return type of the function '{fname}' is not annotated. Although annotating it is optional, "
            "the function should return either a string, a subclass of 'pydantic.BaseModel'."
        )
    if unannotated_with_default:
        names = ", ".join(f"'{k}'" for k in sorted(unannotated_with_default))
        logger.warning(
            f"The following parameters of the function '{fname}' with default values are not annotated: {names}."
        )
    if missing:
        names = ", ".join(f"'{k}'" for k in sorted(missing))
        raise TypeError(
            f"All parameters of the function '{fname}' without default values must be annotated. "
            f"The annotations are missing for the following parameters: {names}"
        )

    return {
        "type": "function",
        "function": {
            "description": description,
            "name": name if name else fname,
            "parameters": _parameters_schema(required, param_annotations, default_values),
        },
    }


# ---------------------------------------------------------------------------------------------------
# arguments in, results out
# ---------------------------------------------------------------------------------------------------


def _load_model(v: Any, t: Any) -> Any:
    """A pydantic model instance of class ``t`` (``Annotated`` allowed) from a dict or JSON string."""
    cls = _strip_annotated(t)
    if isinstance(v, cls):
        return v
    if isinstance(v, (str, bytes)):
        from_json = getattr(cls, "model_validate_json", None) or cls.parse_raw
        return from_json(v)
    validate = getattr(cls, "model_validate", None) or cls.parse_obj
    return validate(v)


def _make_type_loader() -> Callable[[Any, Any], Any]:
    """A loader validating values against any type (``list[Model]``, ``Optional[Model]``, dataclasses)."""
    cache: dict[str, Any] = {}

    def load(v: Any, t: Any) -> Any:
        if _pydantic_is_v1():
            from pydantic import parse_obj_as

            return parse_obj_as(t, v)
        if cache.get("type") is not t:
            from pydantic import TypeAdapter

            cache["type"], cache["adapter"] = t, TypeAdapter(t)
        adapter = cache["adapter"]
        if isinstance(v, (str, bytes)) and not _accepts_str(t):
            return adapter.validate_json(v)
        return adapter.validate_python(v)

    return load


def _accepts_str(t: Any) -> bool:
    return _contains_type(t, lambda x: x is str or x is Any)


def get_load_param_if_needed_function(t: Any) -> Optional[Callable[[Any, Any], Any]]:
    """A function ``(value, t) -> value`` turning JSON into ``t`` if ``t`` needs it (pydantic models,
    dataclasses, or containers of them), else ``None``."""
    base = _strip_annotated(t)
    if _is_model_class(base):
        return _load_model
    if _contains_type(base, lambda x: _is_model_class(x) or _is_dataclass_type(x)):
        return _make_type_loader()
    return None


def load_basemodels_if_needed(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``func`` so that arguments annotated with pydantic models arrive as model instances.

    Tool arguments come from the model as JSON, so a ``Currency`` parameter receives a dict; the wrapper
    validates it into ``Currency`` first. Sync and async functions are both supported, and the wrapper
    keeps ``functools.wraps`` metadata and ``inspect.iscoroutinefunction``.
    """
    typed_signature = get_typed_signature(func)
    param_annotations = get_param_annotations(typed_signature)
    loaders: dict[str, tuple[Callable[[Any, Any], Any], Any]] = {}
    for k, t in param_annotations.items():
        loader = get_load_param_if_needed_function(t)
        if loader is not None:
            loaders[k] = (loader, t)
    positions = {
        i: p.name
        for i, p in enumerate(typed_signature.parameters.values())
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) and p.name in loaders
    }

    def convert(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if not loaders:
            return args, kwargs
        if positions and args:
            new_args = list(args)
            for i, k in positions.items():
                if i < len(new_args):
                    loader, t = loaders[k]
                    new_args[i] = loader(new_args[i], t)
            args = tuple(new_args)
        for k, (loader, t) in loaders.items():
            if k in kwargs:
                kwargs[k] = loader(kwargs[k], t)
        return args, kwargs

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def _a_load_parameters_if_needed(*args: Any, **kwargs: Any) -> Any:
            args, kwargs = convert(args, kwargs)
            return await func(*args, **kwargs)

        return _a_load_parameters_if_needed

    @functools.wraps(func)
    def _load_parameters_if_needed(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = convert(args, kwargs)
        return func(*args, **kwargs)

    return _load_parameters_if_needed


def serialize_to_str(x: Any) -> str:
    """The text sent back to the model for a tool result.

    ``str`` as is; pydantic models as JSON; dataclasses as JSON of ``asdict``; other JSON-able values via
    ``json.dumps(ensure_ascii=False)``; anything else ``str(x)``.
    """
    if isinstance(x, str):
        return x
    if _is_model_instance(x):
        return _model_dump_json(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        try:
            return json.dumps(dataclasses.asdict(x), ensure_ascii=False)
        except (TypeError, ValueError):
            return str(x)
    try:
        return json.dumps(x, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(x)
