"""Classic helper functions that 0.2-era code imports from their classic module paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def test_parse_html_to_markdown_heads_the_page_with_its_title() -> None:
    pytest.importorskip("bs4")
    pytest.importorskip("markdownify")
    from autogen.retrieve_utils import parse_html_to_markdown

    html = (
        "<html><head><title>Tides</title><style>p {color: red}</style></head><body><h2>Why</h2>"
        "<p>The <a href='/moon'>moon</a> pulls.</p><script>alert(1)</script></body></html>"
    )
    text = parse_html_to_markdown(html, url="https://example.org/sea/")
    assert text.startswith("# Tides\n\n")
    assert "## Why" in text and "[moon](https://example.org/moon)" in text
    assert "alert" not in text and "color" not in text
    assert not parse_html_to_markdown("<p>no title</p>").startswith("#")


def test_voting_counts_groups_equivalent_boxed_answers() -> None:
    from autogen.math_utils import eval_math_responses, voting_counts

    responses = [
        "so it is \\boxed{\\frac{1}{2}}",
        "no answer here",
        "I get \\boxed{0.5}",
        "maybe \\boxed{3}",
        "\\boxed{1/2} then",
    ]
    assert voting_counts(responses) == {0: 3, 3: 1}
    assert voting_counts(["nothing", "boxed nowhere"]) == {}
    result = eval_math_responses(responses, solution="\\boxed{0.5}")
    assert (result["voted_answer"], result["votes"], result["success_vote"]) == (responses[0], 3, True)
    assert eval_math_responses(["\\boxed{2}", "\\boxed{3}", "\\boxed{3}"], "\\boxed{2}")["success_vote"] is False


def test_llmlingua_lives_at_its_classic_path() -> None:
    from autogen.agentchat.contrib.capabilities.text_compressors import LLMLingua, TextCompressor

    assert LLMLingua.__module__ == "autogen.agentchat.contrib.capabilities.text_compressors"

    class Halves:
        def compress_text(self, text: str, **params: object) -> dict:
            return {"compressed_prompt": text[: len(text) // 2]}

    assert isinstance(Halves(), TextCompressor) and not isinstance(object(), TextCompressor)


def test_solve_problem_votes_over_the_model_answers(llm_server: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from autogen.math_utils import DEFAULT_MODEL, solve_problem

    monkeypatch.chdir(tmp_path)  # the classic completion cache goes to ./.cache
    llm_server.script("It is \\boxed{4}.")
    answer, cost = solve_problem("What is 2+2?", config_list=llm_server.config_list(DEFAULT_MODEL), use_cache=False)
    assert answer == "It is \\boxed{4}." and cost > 0
    (request,) = llm_server.chat_requests()
    assert request["model"] == "gpt-4" and request["messages"][0]["content"].startswith("What is 2+2? ")
    assert "\\boxed{}" in request["messages"][0]["content"]
