"""Code executors built and called directly, as 0.2-era code does: what classic 0.2.35 gave, pinned.

The side-by-side scenarios behind these tests are exec_local, exec_functions, exec_misc and exec_docker in
scripts/classic_diff/scenarios.py; the differences they show that are on purpose are rows of
docs/compatibility.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor
from autogen.coding.func_with_reqs import FunctionWithRequirements


def add_numbers(a: int, b: int = 2) -> int:
    """Add two numbers.

    Args:
        a: the first
        b: the second
    """
    return a + b


def no_doc(x):  # type: ignore[no-untyped-def]
    return x


# What classic 0.2.35 returned for format_functions_for_prompt("$functions") with these three functions: each
# stub ends in "    ..." (no newline), stubs are joined by one blank line, a docstring is kept as written.
CLASSIC_STUBS = (
    'def add_numbers(a: int, b: int = 2) -> int:\n    """Add two numbers.\n\n        Args:\n'
    '            a: the first\n            b: the second\n    """\n    ...\n\n'
    "def no_doc(x):\n    ...\n\n"
    'def shout(text: str) -> str:\n    """Upper-case text."""\n    ...'
)


def test_format_functions_for_prompt_is_the_classic_text(tmp_path: Path) -> None:
    shout = FunctionWithRequirements.from_str(
        "def shout(text: str) -> str:\n    '''Upper-case text.'''\n    return text.upper()\n"
    )
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path, functions=[add_numbers, no_doc, shout])
    assert executor.format_functions_for_prompt("$functions") == CLASSIC_STUBS
    prompt = executor.format_functions_for_prompt()
    assert prompt.endswith("\n\n" + CLASSIC_STUBS)
    assert prompt.startswith("You have access to the following user defined functions.")
    # The stubs describe functions that the code really imports.
    result = executor.execute_code_blocks(
        [
            CodeBlock(
                code="from functions import add_numbers, shout\nprint(add_numbers(1), shout('a'))", language="python"
            )
        ]
    )
    assert (result.exit_code, result.output) == (0, "3 A\n")


def test_function_source_that_does_not_compile_raises_the_classic_sentence() -> None:
    with pytest.raises(ValueError, match=r"^Could not compile function: invalid syntax"):
        FunctionWithRequirements.from_str("def oops(:\n  pass\n")


def test_an_empty_list_of_blocks_raises_the_classic_value_error(tmp_path: Path) -> None:
    # Classic's Docker executor raised this ValueError; its local executor failed with UnboundLocalError.
    with pytest.raises(ValueError, match=r"^No code blocks to execute\."):
        LocalCommandLineCodeExecutor(work_dir=tmp_path).execute_code_blocks([])
    assert not list(tmp_path.iterdir())
