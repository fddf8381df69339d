"""What AgentOptimizer asks the optimizer model, and the three tools it answers with."""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["ADD_FUNC", "OPT_PROMPT", "REMOVE_FUNC", "REVISE_FUNC", "RETRY_PROMPT"]

OPT_PROMPT = """You improve the functions that AI agents can call while they solve tasks. The agents call \
a function by name with JSON arguments; the function runs as Python code and its printed output or return \
value goes back to them.

Below are conversations the agents had with their current functions, and whether each one ended \
satisfactorily ({statistic}).

## Conversations
{conversations}

## Current functions
{functions}
{failures}
Study where the agents struggled, repeated themselves or got wrong answers, and decide which changes to the \
functions would help the most on tasks like these: add a function, revise one, or remove one that misleads \
or is never useful. Make at most {max_actions} change(s), each through one call of add_function, \
revise_function or remove_function. Make no call when the functions need no change.

Rules for a function:
- "name" is a valid Python identifier, and "code" is the complete definition `def <name>(...)` of that \
function (imports inside it or above it), using only the standard library and the packages listed in \
"packages" (pip names, separated by spaces).
- "arguments" is a JSON object mapping each parameter name to its JSON schema, for example \
{{"n": {{"type": "integer", "description": "how many items"}}}}; every parameter without a default value \
must be in it, and every name in it must be a parameter.
- The function returns its result (or prints it); keep it general enough to help on other tasks of the \
same kind, not only on the conversations above."""

RETRY_PROMPT = """Some of the changes you proposed were rejected, so none was applied. Read the reason \
given for each call and send the corrected set of changes again (at most {max_actions})."""

_FUNCTION_FIELDS: Dict[str, Any] = {
    "name": {"type": "string", "description": "The name of the function (a Python identifier)."},
    "description": {"type": "string", "description": "What the function does and when to use it."},
    "arguments": {
        "type": "string",
        "description": (
            "A JSON object, as a string, mapping each parameter name to its JSON schema, e.g. "
            '{"url": {"type": "string", "description": "the page to read"}}.'
        ),
    },
    "packages": {
        "type": "string",
        "description": "The pip packages the code needs besides the standard library, separated by spaces ('' for none).",
    },
    "code": {"type": "string", "description": "The complete Python definition of the function: def <name>(...): ..."},
}


def _tool(name: str, description: str, fields: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": fields, "required": list(fields)},
        },
    }


ADD_FUNC = _tool("add_function", "Add a new function the agents can call.", _FUNCTION_FIELDS)
REVISE_FUNC = _tool(
    "revise_function",
    "Replace an existing function (found by its name) with a new version: description, arguments, packages and code.",
    _FUNCTION_FIELDS,
)
REMOVE_FUNC = _tool(
    "remove_function",
    "Remove an existing function, found by its name.",
    {"name": {"type": "string", "description": "The name of the function to remove."}},
)
