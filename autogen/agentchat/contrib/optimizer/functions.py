"""Functions proposed by the optimizer model: checking them and applying add/revise/remove actions.

A proposed function is checked before anything changes: its name must be a Python identifier, its
``arguments`` a JSON object of JSON schemas, its ``packages`` pip names, and its ``code`` must compile and
define ``def <name>(...)`` at top level whose parameters agree with ``arguments`` (every argument is a
parameter, every parameter without a default is an argument). Revising or removing a function that does
not exist, and adding one that does, are refused.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Sequence, Tuple

__all__ = ["ActionRejected", "FunctionSpec", "apply_action", "check_function", "describe_functions"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?([<>=!~]=?[A-Za-z0-9.*+!-]+)?$")
_SCHEMA_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null"}
_SCHEMA_KEYS = ("type", "enum", "anyOf", "oneOf", "allOf", "$ref", "const")


class ActionRejected(ValueError):
    """A proposed change that is not applied; the message says why (and is shown to the optimizer model)."""


@dataclass(frozen=True)
class FunctionSpec:
    """A function the agents can call: its schema parts and its Python code."""

    name: str
    description: str
    arguments: Dict[str, Any]
    packages: str
    code: str
    required: Tuple[str, ...] = ()

    def signature(self) -> Dict[str, Any]:
        """The legacy function schema for ``update_function_signature``."""
        parameters: Dict[str, Any] = {"type": "object", "properties": self.arguments}
        if self.required:
            parameters["required"] = list(self.required)
        return {"name": self.name, "description": self.description, "parameters": parameters}

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["required"] = list(self.required)
        return data


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or keyword.iskeyword(name):
        raise ActionRejected(f"The name {name!r} is not a valid Python identifier of at most 64 characters.")
    return name


def _check_arguments(raw: Any) -> Dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as err:
            raise ActionRejected(f"'arguments' is not valid JSON ({err}).") from err
    if not isinstance(raw, dict):
        raise ActionRejected("'arguments' must be a JSON object mapping each parameter name to its JSON schema.")
    if raw.get("type") == "object" and isinstance(raw.get("properties"), dict):  # a whole parameters schema
        raw = raw["properties"]
    for name, schema in raw.items():
        if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
            raise ActionRejected(f"The argument name {name!r} is not a valid Python identifier.")
        if not isinstance(schema, dict) or not any(key in schema for key in _SCHEMA_KEYS):
            raise ActionRejected(
                f'The argument {name!r} needs a JSON schema with a \'type\', e.g. {{"type": "string"}}.'
            )
        types = schema.get("type")
        listed = types if isinstance(types, list) else [types] if types is not None else []
        unknown = [t for t in listed if t not in _SCHEMA_TYPES]
        if unknown:
            raise ActionRejected(f"The argument {name!r} has an unknown JSON-schema type {unknown[0]!r}.")
    return dict(raw)


def _check_packages(raw: Any) -> str:
    if raw is None:
        return ""
    names = raw if isinstance(raw, list) else re.split(r"[,\s]+", str(raw).strip())
    names = [str(n).strip() for n in names if str(n).strip()]
    bad = [n for n in names if not _PACKAGE.match(n)]
    if bad:
        raise ActionRejected(f"'packages' must be pip package names separated by spaces; {bad[0]!r} is not one.")
    return " ".join(names)


def _find_definition(tree: ast.Module, name: str) -> ast.FunctionDef:
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef) and node.name == name:
            raise ActionRejected(f"{name} must be a plain function (def), not async def.")
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise ActionRejected(f"The code does not define the function {name} at top level (def {name}(...): ...).")


def _required_parameters(definition: ast.FunctionDef, arguments: Dict[str, Any]) -> Tuple[str, ...]:
    args = definition.args
    if args.posonlyargs:
        raise ActionRejected(f"{definition.name} has positional-only parameters; it is called with keyword arguments.")
    positional = args.args
    first_default = len(positional) - len(args.defaults)
    params = [a.arg for a in positional] + [a.arg for a in args.kwonlyargs]
    required = [a.arg for i, a in enumerate(positional) if i < first_default]
    required += [a.arg for a, default in zip(args.kwonlyargs, args.kw_defaults) if default is None]
    strangers = [name for name in arguments if name not in params]
    if strangers and args.kwarg is None:
        raise ActionRejected(
            f"The argument(s) {strangers} are not parameters of {definition.name}({', '.join(params)})."
        )
    missing = [name for name in required if name not in arguments]
    if missing:
        raise ActionRejected(
            f"The parameter(s) {missing} of {definition.name} have no default value but are not in 'arguments'."
        )
    return tuple(name for name in required if name in arguments)


def check_function(fields: Dict[str, Any]) -> FunctionSpec:
    """The FunctionSpec of an add/revise call's arguments, or :class:`ActionRejected` saying what is wrong."""
    name = _check_name(fields.get("name"))
    description = fields.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ActionRejected(f"The function {name} needs a non-empty 'description'.")
    arguments = _check_arguments(fields.get("arguments", {}))
    packages = _check_packages(fields.get("packages"))
    code = fields.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ActionRejected(f"The function {name} needs its Python 'code'.")
    try:
        compile(code, f"<function {name}>", "exec")
        tree = ast.parse(code)
    except (SyntaxError, ValueError) as err:
        where = f" (line {err.lineno})" if isinstance(err, SyntaxError) and err.lineno else ""
        raise ActionRejected(f"The code of {name} does not compile: {getattr(err, 'msg', err)}{where}.") from err
    required = _required_parameters(_find_definition(tree, name), arguments)
    return FunctionSpec(name, description.strip(), arguments, packages, code, required)


def _parse_call(call: Any) -> Tuple[str, Dict[str, Any]]:
    function = getattr(call, "function", None) or (call.get("function") if isinstance(call, dict) else None)
    if function is None:
        raise ActionRejected("The tool call has no function.")
    name = getattr(function, "name", None) if not isinstance(function, dict) else function.get("name")
    raw = getattr(function, "arguments", None) if not isinstance(function, dict) else function.get("arguments")
    try:
        fields = json.loads(raw or "{}", strict=False) if isinstance(raw, str) else dict(raw or {})
    except (json.JSONDecodeError, TypeError, ValueError) as err:
        raise ActionRejected(f"The arguments of {name} are not valid JSON ({err}).") from err
    if not isinstance(fields, dict):
        raise ActionRejected(f"The arguments of {name} must be a JSON object.")
    return str(name), fields


def apply_action(functions: Sequence[FunctionSpec], call: Any) -> List[FunctionSpec]:
    """``functions`` after the tool call ``call`` (add_function / revise_function / remove_function)."""
    action, fields = _parse_call(call)
    current = list(functions)
    names = [f.name for f in current]
    known = ", ".join(names) or "none"
    if action == "add_function":
        spec = check_function(fields)
        if spec.name in names:
            raise ActionRejected(f"A function named {spec.name} already exists; use revise_function to change it.")
        return current + [spec]
    if action == "revise_function":
        name = fields.get("name")
        if name not in names:
            raise ActionRejected(f"Refused: there is no function named {name!r} to revise (existing: {known}).")
        spec = check_function(fields)
        return [spec if f.name == name else f for f in current]
    if action == "remove_function":
        name = fields.get("name")
        if name not in names:
            raise ActionRejected(f"Refused: there is no function named {name!r} to remove (existing: {known}).")
        return [f for f in current if f.name != name]
    raise ActionRejected(f"Unknown action {action!r}: use add_function, revise_function or remove_function.")


def describe_functions(functions: Sequence[FunctionSpec]) -> str:
    """The functions as shown to the optimizer model."""
    if not functions:
        return "(none yet)"
    return json.dumps([f.to_dict() for f in functions], indent=2)
