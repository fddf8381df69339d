"""samples/twoagent.py end to end: the assistant's code runs in the user proxy, then the chat ends on TERMINATE.

Code runs locally here (AUTOGEN_USE_DOCKER=False): what is under test is the sample and the chat loop; running code
in Docker has its own tests under test/coding.
"""

from __future__ import annotations

import json
from pathlib import Path

from llm_server import LLMServer
from samples_support import SAMPLES, run_script

SCRIPT = SAMPLES / "twoagent.py"


def test_code_runs_and_the_chat_terminates(llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.script(
        "I will compute it.\n```python\n# filename: product.py\nprint('product:', 6 * 7)\n```",
        "The product is 42. TERMINATE",
    )
    env = {"OAI_CONFIG_LIST": json.dumps(llm_server.config_list()), "AUTOGEN_USE_DOCKER": "False"}
    done = run_script(SCRIPT, ["--message", "What is 6 times 7?", "--work-dir", "work"], env, tmp_path)

    assert done.returncode == 0, done.stderr
    assert "exitcode: 0 (execution succeeded)" in done.stdout
    assert "product: 42" in done.stdout
    assert done.stdout.rstrip().endswith("The product is 42.")  # the summary, without TERMINATE
    assert "models from the OAI_CONFIG_LIST environment variable: gpt-4 @ " in done.stderr
    bodies = llm_server.chat_requests()
    assert len(bodies) == 2 and llm_server.pending == 0
    assert bodies[0]["messages"][-1]["content"] == "What is 6 times 7?"
    assert "product: 42" in bodies[1]["messages"][-1]["content"].split("Code output:", 1)[1]
    assert (tmp_path / "work" / "product.py").is_file()


def test_a_failing_program_is_reported_back(llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.script("```python\nraise SystemExit(3)\n```", "It failed with status 3. TERMINATE")
    env = {"OAI_CONFIG_LIST": json.dumps(llm_server.config_list()), "AUTOGEN_USE_DOCKER": "False"}
    done = run_script(SCRIPT, ["--message", "Fail please", "--max-auto-replies", "3"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "exitcode: 3 (execution failed)" in done.stdout
    assert "exitcode: 3 (execution failed)" in llm_server.chat_requests()[1]["messages"][-1]["content"]
