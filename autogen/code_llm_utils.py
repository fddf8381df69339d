"""The classic LLM-based code helpers of ``autogen.code_utils``: generate, improve and implement code.

They call the model through :class:`autogen.Completion` (so ``config_list``, caching and cost work as
there) and return ``(result, cost)``; generated code is checked with
:func:`autogen.code_utils.execute_code`. ``autogen.code_utils`` re-exports every name here.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

__all__ = [
    "generate_code",
    "improve_function",
    "improve_code",
    "generate_assertions",
    "eval_function_completions",
    "PassAssertionFilter",
    "implement",
]

Assertions = Union[str, Callable[[str], Tuple[str, float]], None]

_IMPROVE_FUNCTION_PROMPT = """Rewrite the function '{func_name}' so that it achieves this objective: {objective}
Here is the file that holds its current implementation:
{file_string}"""

_IMPROVE_CODE_PROMPT = """Read the code of the following files and list your suggestions to improve it{followup}, \
so that it achieves this objective: {objective}
{code}
"""

_ASSERTIONS_PROMPT = """Here is the signature and docstring of a Python function:
{definition}
For each example given in the docstring, and for no other input, write one assert statement that checks \
the function gives the documented result. Answer with the assert statements only, one per line."""

_FUNC_COMPLETION_PROMPT = "# Python 3{definition}"
_FUNC_COMPLETION_STOP = ["\nclass", "\ndef", "\nif", "\nprint"]


def _implement_configs() -> List[Dict[str, Any]]:
    from .code_utils import DEFAULT_MODEL, FAST_MODEL

    prompt = _FUNC_COMPLETION_PROMPT
    return [
        {"model": FAST_MODEL, "prompt": prompt, "temperature": 0, "cache_seed": 0},
        {"model": FAST_MODEL, "prompt": prompt, "stop": _FUNC_COMPLETION_STOP, "n": 7, "cache_seed": 0},
        {"model": DEFAULT_MODEL, "prompt": prompt, "temperature": 0, "cache_seed": 1},
        {"model": DEFAULT_MODEL, "prompt": prompt, "stop": _FUNC_COMPLETION_STOP, "n": 2, "cache_seed": 2},
        {"model": DEFAULT_MODEL, "prompt": prompt, "stop": _FUNC_COMPLETION_STOP, "n": 1, "cache_seed": 2},
    ]


def _complete(context: Dict[str, Any], **config: Any) -> Dict[str, Any]:
    from .oai.completion import Completion

    config.setdefault("allow_format_str_template", True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Completion.create's note is for direct callers
        response = Completion.create(context, **config)
    if not isinstance(response, dict):
        raise RuntimeError("The model could not be reached (every config hit a rate limit or a timeout).")
    return response


def _first_text(response: Dict[str, Any]) -> str:
    from .oai.completion import Completion

    return Completion.extract_text(response)[0] or ""


def generate_code(pattern: Optional[str] = None, **config: Any) -> Tuple[str, float]:
    """Ask the model (``config`` as for ``Completion.create``) and return ``(the code of its first code
    block, cost)``; the code is the whole answer when it has no code block."""
    from .code_utils import CODE_BLOCK_PATTERN, extract_code

    response = _complete({}, **config)
    blocks = extract_code(_first_text(response), pattern or CODE_BLOCK_PATTERN)
    return blocks[0][1], response["cost"]


def improve_function(file_name: str, func_name: str, objective: str, **config: Any) -> Tuple[str, float]:
    """Ask the model to rewrite ``func_name`` of the file ``file_name`` for ``objective``: ``(answer, cost)``."""
    from .code_utils import DEFAULT_MODEL

    with open(file_name, encoding="utf-8") as f:
        file_string = f.read()
    params = {"prompt": _IMPROVE_FUNCTION_PROMPT, "model": DEFAULT_MODEL, "request_timeout": 600, **config}
    context = {"func_name": func_name, "objective": objective, "file_string": file_string}
    response = _complete(context, **params)
    return _first_text(response), response["cost"]


def improve_code(files: List[str], objective: str, suggest_only: bool = True, **config: Any) -> Tuple[str, float]:
    """Ask the model for suggestions to improve the code of ``files`` for ``objective`` (and the improved code
    unless ``suggest_only``): ``(answer, cost)``."""
    from .code_utils import DEFAULT_MODEL

    parts = []
    for file_name in files:
        with open(file_name, encoding="utf-8") as f:
            parts.append(f"{file_name}:\n{f.read()}\n\n")
    followup = "" if suggest_only else ", followed by the improved code"
    params = {"prompt": _IMPROVE_CODE_PROMPT, "model": DEFAULT_MODEL, "request_timeout": 900, **config}
    response = _complete({"objective": objective, "code": "".join(parts), "followup": followup}, **params)
    return _first_text(response), response["cost"]


def generate_assertions(definition: str, **config: Any) -> Tuple[str, float]:
    """Ask the model for assert statements checking the examples of the docstring in ``definition``:
    ``(assertions, cost)``."""
    from .code_utils import FAST_MODEL

    params = {"prompt": _ASSERTIONS_PROMPT, "model": FAST_MODEL, "max_tokens": 256, "stop": "\n\n", **config}
    response = _complete({"definition": definition}, **params)
    return _first_text(response), response["cost"]


def _without_check(response: str) -> str:
    """A completion without the ``check`` function some models append (it would shadow the test's)."""
    at = response.find("def check(")
    return response if at == -1 else response[:at]


def _program(definition: str, response: str, tail: str) -> str:
    """The runnable program: a completion that restates the ``def`` stands alone, else it ends ``definition``."""
    body = response if response.startswith("def") else f"{definition}{response}"
    return f"{body}\n{tail}"


def _passes(code: str, timeout: Optional[float], use_docker: Optional[bool]) -> bool:
    from .code_utils import execute_code

    return execute_code(code, timeout=timeout, use_docker=use_docker)[0] == 0  # type: ignore[arg-type]


def eval_function_completions(
    responses: List[str],
    definition: str,
    test: Optional[str] = None,
    entry_point: Optional[str] = None,
    assertions: Assertions = None,
    timeout: Optional[float] = 3,
    use_docker: Optional[bool] = True,
) -> Dict[str, Any]:
    """Judge completions of the function ``definition``.

    Without ``assertions``: run the gold ``test`` (``check(entry_point)``) on every response; returns
    ``success`` (any passes) and ``expected_success`` (the chance that one of n draws passes). With
    ``assertions`` (a string, or a generator ``definition -> (assertions, cost)`` used when there is more
    than one response): select the first response that passes them; returns ``index_selected``,
    ``succeed_assertions``, ``gen_cost``, ``assertions`` and, with ``test``, whether the selected one passes it.
    """
    n = len(responses)
    if n == 0:
        raise ValueError("eval_function_completions needs at least one response.")
    if assertions is None:
        if test is None or entry_point is None:
            raise ValueError("Without assertions, eval_function_completions needs the gold test and its entry_point.")
        passed = [
            _passes(_program(definition, _without_check(r), f"{test}\ncheck({entry_point})"), timeout, use_docker)
            for r in responses
        ]
        return {"expected_success": 1 - pow(1 - sum(passed) / n, n), "success": any(passed)}
    gen_cost = 0.0
    if callable(assertions):
        if n > 1:
            assertions, gen_cost = assertions(definition)
        else:
            assertions = None  # a single response is selected anyway: no need to pay for assertions
    index, succeed_assertions = 0, False
    if n > 1 or test is None:
        for index, raw in enumerate(responses):
            responses[index] = _without_check(raw)
            if _passes(_program(definition, responses[index], assertions or ""), timeout, use_docker):
                succeed_assertions = True
                break
    result: Dict[str, Any] = {
        "index_selected": index,
        "succeed_assertions": succeed_assertions,
        "gen_cost": gen_cost,
        "assertions": assertions,
    }
    if test is not None:
        selected = responses[index]
        result["success"] = _passes(
            _program(definition, selected, f"{test}\ncheck({entry_point})"), timeout, use_docker
        )
    return result


class PassAssertionFilter:
    """A ``filter_func`` for ``Completion.create``: a response passes when one of its completions passes the
    assertions. It remembers the assertions (generated once), the cost of generating them, and the
    ``metrics`` and ``responses`` of the last response it judged."""

    def __init__(self, assertions: Assertions):
        self._assertions = assertions
        self.cost = 0.0
        self.metrics: Optional[Dict[str, Any]] = None
        self.responses: Optional[List[str]] = None

    def pass_assertions(self, context: Dict[str, Any], response: Dict[str, Any], **_: Any) -> bool:
        from .oai.completion import Completion

        responses = Completion.extract_text(response)
        # use_docker=None: Docker unless AUTOGEN_USE_DOCKER says otherwise, as for any generated code
        metrics = eval_function_completions(
            responses, context["definition"], assertions=self._assertions, use_docker=None
        )
        self._assertions = metrics["assertions"]
        self.cost += metrics["gen_cost"]
        self.metrics = metrics
        self.responses = responses
        return bool(metrics["succeed_assertions"])


def implement(
    definition: str,
    configs: Optional[List[Dict[str, Any]]] = None,
    assertions: Assertions = generate_assertions,
) -> Tuple[str, float, int]:
    """Implement the function ``definition`` (signature and docstring), trying ``configs`` in order (cheap
    ones first by default) until a completion passes the assertions. Returns ``(implementation, cost, index
    of the config that produced it)``."""
    configs = configs or _implement_configs()
    cost = 0.0
    if len(configs) > 1 and callable(assertions):
        assertions, cost = assertions(definition)
    check = PassAssertionFilter(assertions)
    response = _complete({"definition": definition}, config_list=configs, filter_func=check.pass_assertions)
    assert check.responses is not None and check.metrics is not None
    cost += check.cost + response["cost"]
    return check.responses[check.metrics["index_selected"]], cost, response["config_id"]
