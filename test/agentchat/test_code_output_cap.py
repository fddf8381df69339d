"""Code output going to the LLM is capped (head and tail kept, the whole output saved in the work dir)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from autogen import AssistantAgent, UserProxyAgent
from autogen.agentchat.output_cap import cap_output
from autogen.exception_utils import ConfigError

BIG_BLOCK = """```python
import sys
sys.stdout.write("FIRST-LINE\\n" + "x" * 99 + "\\n")
for i in range(100_000):
    sys.stdout.write(f"{i:09d}" + "." * 90 + "\\n")
sys.stdout.write("LAST-LINE\\n")
```"""


def _chat(llm_server: Any, tmp_path: Path, **extra: Any) -> tuple[dict[str, Any], str]:
    llm_server.script(BIG_BLOCK, "TERMINATE")
    assistant = AssistantAgent("assistant", llm_config=llm_server.llm_config())
    user = UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config={"work_dir": str(tmp_path / "work"), "use_docker": False, **extra},
    )
    user.initiate_chat(assistant, message="print a lot", max_turns=2, silent=True)
    second_request = llm_server.chat_requests()[1]
    return second_request, second_request["messages"][-1]["content"]


def test_ten_megabytes_of_output_send_a_capped_message(llm_server: Any, tmp_path: Path) -> None:
    _, content = _chat(llm_server, tmp_path)
    assert content.startswith("exitcode: 0 (execution succeeded)\nCode output: ")
    assert "FIRST-LINE" in content[:100]
    assert content.rstrip().endswith("LAST-LINE")
    assert len(content) < 21_000  # not 10 MB
    match = re.search(
        r"([\d,]+) characters \(([\d,]+) lines\) of output left out here; the whole output "
        r"\(([\d,]+) characters\) is saved in (\S+) ",
        content,
    )
    assert match is not None, content[9_000:11_000]
    total = int(match.group(3).replace(",", ""))
    assert total > 10_000_000
    saved = Path(match.group(4))
    assert saved.parent == (tmp_path / "work").resolve()
    text = saved.read_text()
    assert len(text) == total and text.lstrip().startswith("FIRST-LINE") and text.rstrip().endswith("LAST-LINE")
    assert "000099999" in text


def test_cap_is_configurable_and_can_be_turned_off(llm_server: Any, tmp_path: Path) -> None:
    _, content = _chat(llm_server, tmp_path, max_output_chars=2_000)
    assert len(content) < 2_400 and "left out here" in content
    llm_server.reset()
    _, content = _chat(llm_server, tmp_path, max_output_chars=None)
    assert len(content) > 10_000_000 and "left out here" not in content


def test_small_output_is_untouched(tmp_path: Path) -> None:
    user = UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config={"work_dir": str(tmp_path), "use_docker": False}
    )
    reply = user.generate_reply([{"role": "user", "content": "```python\nprint('hi')\n```"}])
    assert reply is not None and reply.startswith("exitcode: 0 (execution succeeded)\nCode output: ")
    assert reply.strip().endswith("hi") and "left out" not in reply
    assert list(tmp_path.glob("code_output_*")) == []


@pytest.mark.parametrize("bad", [0, -5, "20000", 1.5, True])
def test_bad_cap_is_a_config_error(bad: Any) -> None:
    with pytest.raises(ConfigError, match="max_output_chars"):
        UserProxyAgent("user", code_execution_config={"use_docker": False, "max_output_chars": bad})


def test_cap_output_keeps_head_and_tail(tmp_path: Path) -> None:
    output = "A" * 600 + "B" * 1000 + "C" * 400
    capped = cap_output(output, 1000, tmp_path)
    assert capped.startswith("A" * 500) and capped.endswith("B" * 100 + "C" * 400)
    assert "1,000 characters (0 lines)" in capped
