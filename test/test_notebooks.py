"""Execute every notebook in notebook/ against the local OpenAI-compatible server.

Each notebook reads ``OAI_CONFIG_LIST``; the test points it at the server and answers the notebook's requests with
a small responder written for that notebook (a function of the request, so the order of concurrent requests does
not matter), then checks a few lines of its output. A notebook without a responder here fails the test: every
notebook must be covered. Model-written code runs on the host (``AUTOGEN_USE_DOCKER=False``) for speed, except in
``test_code_writing_notebook_in_docker``, which runs the two-agent notebook the default way, in a container.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from llm_server import LLMServer, last_user_content

sys.path.insert(0, str(Path(__file__).parent / "providers"))
from notebook_providers import MIXED_PROVIDERS_EXPECTED, critic, provider_servers  # noqa: E402

nbformat = pytest.importorskip("nbformat", reason="nbformat is needed to run the notebooks (the test extra)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is needed to run the notebooks (the test extra)")
pytest.importorskip("ipykernel", reason="ipykernel is needed to run the notebooks (the test extra)")

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebook"

Body = dict[str, Any]
Reply = Any


def system_text(body: Body) -> str:
    messages = body.get("messages") or []
    if messages and messages[0].get("role") == "system":
        return str(messages[0].get("content") or "")
    return ""


def all_text(body: Body) -> str:
    return "\n".join(str(m.get("content") or "") for m in body.get("messages") or [])


def is_summary_request(body: Body) -> bool:
    return "summary of the outcome of the conversation" in last_user_content(body)


# ----------------------------------------------------------------------------------------------- responders --
PRIMES_CODE = (
    "I will compute it.\n```python\n# filename: primes.py\n"
    "primes = [n for n in range(2, 30) if all(n % d for d in range(2, n))]\n"
    "print('sum of the first ten primes:', sum(primes[:10]))\n```"
)


def code_writing(body: Body) -> Reply:
    last = last_user_content(body)
    if "exitcode: 0" in last and "sum of the first ten primes: 129" in last:
        return "The sum of the first ten prime numbers is 129. TERMINATE"
    return PRIMES_CODE


def groupchat(body: Body) -> Reply:
    system = system_text(body)
    if system.startswith("You coordinate a conversation"):
        # speaker selection: the last conversation message before the closing question decides
        said = [str(m.get("content") or "") for m in body["messages"][1:-1]]
        last = said[-1] if said else ""
        if last.startswith("Plan:") or last.startswith("Revise:"):
            return "writer"
        if last.startswith("Draft:"):
            return "critic"
        return "planner"
    if system.startswith("You are the planner"):
        return "Plan: 1. pick an image. 2. write three lines of 5, 7 and 5 syllables."
    if system.startswith("You are the writer"):
        return "Draft: green dots in a row / the suite runs while I drink tea / one red line appears"
    if system.startswith("You are the critic"):
        drafts = sum(str(m.get("content") or "").startswith("Draft:") for m in body["messages"])
        return "APPROVED" if drafts >= 2 else "Revise: make the last line more surprising."
    raise AssertionError(f"unexpected request: {system[:80]!r}")


def function_call(body: Body) -> Reply:
    messages = body["messages"]
    assert {t["function"]["name"] for t in body.get("tools", [])} == {"convert", "list_currencies"}
    if messages[-1].get("role") == "tool":
        return f"100 euros are {messages[-1]['content']}. TERMINATE"
    return {"tool_calls": [{"name": "convert", "arguments": {"amount": 100, "source": "EUR", "target": "USD"}}]}


def sequential_nested(body: Body) -> Reply:
    system = system_text(body)
    if is_summary_request(body):
        return "A short post about honey bees."
    if system.startswith("You are a researcher"):
        return "Facts: bees dance; bees make honey; a hive has one queen."
    if system.startswith("You are a writer"):
        drafts = sum(str(m.get("content") or "").startswith("Feedback:") for m in body["messages"])
        return f"Post: version {drafts + 1}. Bees dance to share where the flowers are."
    if system.startswith("You are a critic"):
        assert "Review this text" in last_user_content(body)
        return "Feedback: add a number, e.g. how far the flowers are."
    raise AssertionError(f"unexpected request: {system[:80]!r}")


def custom_model_client(body: Body) -> Reply:
    assert "stream" not in body and "tools" not in body  # the notebook's own client sends a minimal body
    return "Thirteen is a prime number larger than 10."


def cache_and_cost(body: Body) -> Reply:
    last = last_user_content(body)
    if "rhymes with cache" in last:
        return "Dash."
    if "What is a cache" in last:
        return "A cache keeps answers so they need not be computed again."
    if "Say hello" in last:
        return "Hello!"
    raise AssertionError(f"unexpected request: {last[:80]!r}")


def async_chats(body: Body) -> Reply:
    system = system_text(body)
    if system.startswith("You compare"):
        assert "Lava" in all_text(body) and "Ice" in all_text(body)  # both carried over
        return "Lava is hot while ice is cold."
    match = re.match(r"You know about (\w+)", system)
    assert match, system
    facts = {"volcanoes": "Lava is molten rock.", "glaciers": "Ice flows slowly.", "deserts": "Sand moves with wind."}
    return {"content": facts[match.group(1)], "delay": 0.3}


def retrieve_chat(body: Body) -> Reply:
    question = last_user_content(body)
    if "five years" in question and "kettle's warranty" in question:
        return "The kettle's warranty lasts five years."
    return "UPDATE CONTEXT"


def teachability(body: Body) -> Reply:
    from autogen.agentchat.contrib.capabilities import teachability as t

    last = last_user_content(body)
    if last.startswith("# TEXT\n"):  # the analyzer
        text, instructions = last[len("# TEXT\n") :].split("\n\n# INSTRUCTIONS\n")
        fact = "stand-up" in text and "9:15" in text
        answers = {
            t.IS_TASK: "no",
            t.HAS_ADVICE: "no",
            t.EXTRACT_ADVICE: "none",
            t.EXTRACT_TASK: text,
            t.GENERALIZE_TASK: text,
            t.HAS_INFORMATION: "yes" if fact else "no",
            t.QUESTION_FOR_INFORMATION: "When is the team's stand-up meeting?",
            t.EXTRACT_INFORMATION: "The team's stand-up meeting is every day at 9:15.",
        }
        return answers[instructions]
    if "When is our stand-up" in last:
        recalled = "9:15" in last  # the memo was added to the question
        return "Your stand-up is every day at 9:15." if recalled else "I do not know."
    return "Noted."


def gpt_assistant(body: Body) -> Reply:
    assert body.get("assistant_id"), "expected an Assistants API run"
    last = body["messages"][-1]
    if last.get("role") == "tool":
        return f"The sentence has {last['content']} words."
    return {"tool_calls": [{"name": "count_words", "arguments": {"text": "a stitch in time saves nine"}}]}


def autobuild(body: Body) -> Reply:
    first = str(body["messages"][0].get("content") or "")
    if first.startswith("You coordinate a conversation"):
        said = [str(m.get("content") or "") for m in body["messages"][1:-1]]
        last = said[-1] if said else ""
        if "```python" in last:
            return "Computer_terminal"
        if "exitcode:" in last:
            return "Reviewer"
        return "Prime_Finder"
    if "Propose from 1 to" in first:
        return json.dumps(
            [
                {"name": "Prime_Finder", "role": "writes Python code that finds the prime"},
                {"name": "Reviewer", "role": "checks the result"},
            ]
        )
    match = re.search(r"Write the system message of (\w+), whose role", first)
    if match:
        return f"You are {match.group(1)}. Work step by step and check your results."
    match = re.search(r"describe (\w+) so that", first)
    if match:
        return f"{match.group(1)} is an expert of the team."
    if "require writing code and running it" in first:
        return "YES"
    if "You are Prime_Finder" in first:
        return "```python\nprint(max(n for n in range(2, 100) if all(n % d for d in range(2, n))))\n```"
    if "You are Reviewer" in first:
        return "The program printed 97, and 97 is prime. TERMINATE"
    raise AssertionError(f"unexpected request: {first[:120]!r}")


def agent_eval(body: Body) -> Reply:
    from autogen.agentchat.contrib.agent_eval import CriticAgent, QuantifierAgent

    system = system_text(body)
    if system.startswith(CriticAgent.DEFAULT_SYSTEM_MESSAGE[:60]):
        criteria = [
            {"name": "accuracy", "description": "Is the number right?", "accepted_values": ["wrong", "right"]},
            {"name": "shows_work", "description": "Is the calculation shown?", "accepted_values": ["no", "yes"]},
        ]
        return "```json\n" + json.dumps(criteria) + "\n```"
    if system.startswith(QuantifierAgent.DEFAULT_SYSTEM_MESSAGE[:60]):
        answer = last_user_content(body).rsplit("The response to grade:", 1)[-1]
        good = "1.609" in answer
        return json.dumps({"accuracy": "right" if good else "wrong", "shows_work": "yes" if good else "no"})
    raise AssertionError(f"unexpected request: {system[:120]!r}")


# notebook file name -> (responder, texts that must appear in the notebook's output)
CASES: dict[str, tuple[Callable[[Body], Reply], list[str]]] = {
    "agentchat_code_writing.ipynb": (code_writing, ["sum of the first ten primes: 129", "primes.py"]),
    "agentchat_groupchat.ipynb": (
        groupchat,
        ["speakers: ['user', 'planner', 'writer', 'critic', 'writer', 'critic']"],
    ),
    "agentchat_function_call.ipynb": (
        function_call,
        ["tool outputs: ['110.00 USD']", "answer: 100 euros are 110.00 USD"],
    ),
    "agentchat_sequential_nested.ipynb": (
        sequential_nested,
        ["chat 1 summary: A short post about honey bees.", "'Post', 'Feedback', 'Post']"],
    ),
    "oai_custom_model_client.ipynb": (custom_model_client, ["answer: Thirteen is a prime number"]),
    "oai_cache_and_cost.ipynb": (cache_and_cost, ["second run cost:", "answered by config 1 : Hello!"]),
    "agentchat_async_chats.ipynb": (async_chats, ["compare -> Lava is hot while ice is cold."]),
    "contrib_retrieve_chat.ipynb": (retrieve_chat, ["answer: The kettle's warranty lasts five years."]),
    "contrib_teachability.ipynb": (teachability, ["answer: Your stand-up is every day at 9:15."]),
    "contrib_gpt_assistant.ipynb": (gpt_assistant, ["answer: The sentence has 6 words."]),
    "contrib_autobuild.ipynb": (
        autobuild,
        [
            "Prime_Finder: Prime_Finder is an expert",
            "97 is prime",
            "reloaded: ['Prime_Finder', 'Reviewer', 'Computer_terminal']",
        ],
    ),
    "contrib_agent_eval.ipynb": (agent_eval, ["Roughly 8 km. -> {'accuracy': 'wrong'", "accuracy"]),
    "agentchat_mixed_providers.ipynb": (critic, MIXED_PROVIDERS_EXPECTED),
}

# notebooks that also talk to other providers' protocol servers (test/providers/): started around the run
PROVIDER_SERVERS: dict[str, Callable[[pytest.MonkeyPatch], Any]] = {
    "agentchat_mixed_providers.ipynb": provider_servers,
}


def _selection_requests(server: LLMServer) -> int:
    return sum(system_text(b).startswith("You coordinate a conversation") for b in server.chat_requests())


# checks on the requests a notebook made, beyond its output
REQUEST_CHECKS: dict[str, Callable[[LLMServer], None]] = {
    # five "auto" selections in the first chat; none under the transition graph, where one agent may follow
    "agentchat_groupchat.ipynb": lambda server: _assert_equal(_selection_requests(server), 5),
    # the second run of the cached chat and the second wrapper call came from the cache
    "oai_cache_and_cost.ipynb": lambda server: _assert_equal(
        sum("What is a cache" in last_user_content(b) for b in server.chat_requests()), 1
    ),
}


def _assert_equal(actual: Any, expected: Any) -> None:
    assert actual == expected, (actual, expected)


# notebooks that need an optional extra: they skip (saying which) only where it is not installed
NEEDS: dict[str, list[str]] = {
    "contrib_retrieve_chat.ipynb": ["chromadb", "sentence_transformers"],
    "contrib_teachability.ipynb": ["chromadb", "sentence_transformers"],
    "agentchat_mixed_providers.ipynb": ["anthropic", "google.genai"],
}


def _notebooks() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_every_notebook_has_a_case() -> None:
    assert _notebooks(), "no notebooks found"
    missing = set(_notebooks()) - set(CASES)
    assert not missing, f"notebooks without a responder in test_notebooks.py: {sorted(missing)}"


def _outputs(nb: Any) -> str:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            elif "data" in output:
                texts.append(str(output["data"].get("text/plain", "")))
    return "".join(texts)


@pytest.mark.timeout(420)
@pytest.mark.parametrize("name", _notebooks())
def test_notebook_runs(name: str, llm_server: LLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in NEEDS.get(name, []):
        pytest.importorskip(module, reason=f"{name} needs {module} (pip install -e '.[test]')")
    _run_notebook(name, "False", llm_server, tmp_path, monkeypatch)


def _docker_skip_reason() -> Optional[str]:
    try:
        import docker
    except ImportError:
        return "the docker Python package is not installed"
    try:
        client = docker.from_env(timeout=10)
        client.ping()
        client.images.get("python:3-slim")
        client.close()
    except Exception as exc:
        return f"no Docker daemon with the python:3-slim image answers ({exc}); run scripts/setup_docker.sh"
    return None


@pytest.mark.docker
@pytest.mark.timeout(420)
def test_code_writing_notebook_in_docker(
    llm_server: LLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default: with AUTOGEN_USE_DOCKER unset, the notebook runs the model's code in a container."""
    reason = _docker_skip_reason()
    if reason:
        pytest.skip(reason)
    text = _run_notebook("agentchat_code_writing.ipynb", None, llm_server, tmp_path, monkeypatch)
    assert "the code will run in a Docker container" in text


def _run_notebook(
    name: str, use_docker: Optional[str], llm_server: LLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    if name not in CASES:
        pytest.fail(f"{name} has no responder in test_notebooks.py")
    responder, expected = CASES[name]
    llm_server.responder = responder
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(llm_server.config_list()))
    if use_docker is None:
        monkeypatch.delenv("AUTOGEN_USE_DOCKER", raising=False)
    else:
        monkeypatch.setenv("AUTOGEN_USE_DOCKER", use_docker)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")
    for name_ in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name_, raising=False)

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), f"{name}: keep the committed notebook's outputs empty"
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    servers = PROVIDER_SERVERS[name](monkeypatch) if name in PROVIDER_SERVERS else contextlib.nullcontext([])
    with servers as provider_servers_used:
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as exc:  # the message holds the cell and the traceback
            pytest.fail(f"{name} failed:\n{exc}")
    for server in provider_servers_used:
        assert server.requests, f"{name} never called the {server.name} server"
    text = _outputs(nb)
    for snippet in expected:
        assert snippet in text, f"{name}: {snippet!r} not in the output:\n{text[-3000:]}"
    assert llm_server.requests, f"{name} never called the model"
    if name in REQUEST_CHECKS:
        REQUEST_CHECKS[name](llm_server)
    return text
