"""The conversation view, in a real headless Chromium: Markdown with highlighted code, the image and file the agents'
code produced, tool calls and results, speaker avatars, live streaming; a group chat with its inner messages folded
and its profile charted; a person answering an agent in the page."""

from __future__ import annotations

import json
from typing import Any

from conftest import make_workflow, needs_chromium, open_studio, screenshot, start_session

pytestmark = needs_chromium

PNG_CODE = """Here is the plan.

```python
import struct, zlib
w, h = 40, 20
raw = b"".join(b"\\x00" + bytes([200, 60, 60]) * w for _ in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
png = b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open("chart.png", "wb").write(png)
open("data.csv", "w").write("x,y\\n1,2\\n")
print("wrote chart.png and data.csv")
```
"""


def test_markdown_code_images_files_tools_streamed(live_server: Any, llm_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    page = open_studio(browser, live_server.url, live_server.token)
    make_workflow(
        page,
        llm_server,
        {
            "coder": {"llm": True},
            "runner": {"type": "userproxy", "code_execution": True},
        },
        {"name": "Chart Flow", "sender_id": "runner", "receiver_id": "coder"},
    )
    llm_server.script(
        PNG_CODE,
        {"tool_calls": [{"name": "lookup_price", "arguments": {"ticker": "NVDA"}}]},
        {"content": "Here is the chart:\n\n![the chart](chart.png)\n\n**Done.** TERMINATE", "delay": 2},
    )
    start_session(page, "Chart Flow", "Draw a chart")

    # streamed: the code's output (with the files it wrote) shows while the last reply is still being produced
    executed = page.locator(".msg[data-sender=runner]").nth(1)
    expect(executed).to_contain_text("exitcode: 0")
    assert page.locator("#result").is_hidden()
    image = executed.locator("img.inline-image")
    expect(image).to_have_attribute("alt", "chart.png")
    expect(executed.locator("a.file-link", has_text="data.csv")).to_have_attribute("download", "data.csv")

    expect(page.locator("#final-answer")).to_have_text("Here is the chart:\n\n![the chart](chart.png)\n\n**Done.**")
    # Markdown: the code block is highlighted by highlight.js, Python keywords marked up
    code = page.locator(".msg[data-sender=coder] pre code.language-python").first
    expect(code).to_have_class("language-python hljs")
    expect(code.locator(".hljs-keyword").first).to_have_text("import")
    # the image named in the last reply's Markdown is shown inline from the session's files, and really loads
    md_image = page.locator(".msg[data-sender=coder] .markdown img[alt='the chart']")
    expect(md_image).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", md_image.element_handle()) == 40
    expect(page.locator(".msg[data-sender=coder] .markdown strong")).to_have_text("Done.")
    # tool call and its result, shown as such
    call = page.locator(".msg.is-tool-call .tool-call")
    expect(call).to_contain_text("lookup_price")
    expect(call.locator("code")).to_contain_text('"ticker": "NVDA"')
    expect(page.locator(".msg.is-tool-result .tool-result")).to_contain_text("lookup_price")
    # speaker name and avatar on each message
    first = page.locator(".msg[data-sender=coder]").first
    expect(first.locator(".speaker")).to_have_text("coder")
    expect(first.locator(".avatar")).to_have_text("C")
    # the file downloads with its content
    href = executed.locator("a.file-link").get_attribute("href")
    assert page.request.get(page.url.split("/?")[0].rstrip("/") + href).text() == "x,y\n1,2\n"
    screenshot(page, "conversation_markdown_image_tools")


def test_group_chat_inner_messages_and_profile(live_server: Any, llm_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    page = open_studio(browser, live_server.url, live_server.token)
    make_workflow(
        page,
        llm_server,
        {"boss": {"type": "userproxy"}, "writer": {"llm": True}, "critic": {"llm": True}},
        {
            "name": "Team",
            "type": "groupchat",
            "sender_id": "boss",
            "agent_ids": ["writer", "critic"],
            "speaker_selection_method": "round_robin",
            "max_round": 3,
        },
    )
    llm_server.script(
        {"content": "A first draft.", "usage": {"prompt_tokens": 100, "completion_tokens": 20}},
        {"content": "Looks good. TERMINATE", "usage": {"prompt_tokens": 300, "completion_tokens": 5}},
    )
    start_session(page, "Team", "Write a haiku")
    expect(page.locator("#final-answer")).to_have_text("Looks good.")
    # the group's own messages are folded under one summary; the top-level message stays open
    group = page.locator("#chat details.inner-group")
    expect(group.locator("summary")).to_have_text("2 inner messages (writer, critic)")
    assert group.get_attribute("open") is None
    expect(page.locator("#chat > .msg[data-sender=boss]")).to_contain_text("Write a haiku")
    expect(group.locator(".msg[data-sender=writer]")).to_be_hidden()
    group.locator("summary").click()
    expect(group.locator(".msg[data-sender=writer]")).to_contain_text("A first draft.")

    page.click("#profile-session")
    table = page.locator("#profile .profile-table")
    expect(table.locator("tr[data-agent=writer] td").nth(4)).to_have_text("120")
    expect(table.locator("tr[data-agent=critic] td").nth(4)).to_have_text("305")
    timeline = page.evaluate(
        "() => Chart.getChart('chart-timeline').data.datasets.map((d) => [d.label, d.data.length])"
    )
    assert timeline == [["boss", 1], ["writer", 1], ["critic", 1]]
    tokens = page.evaluate("() => Chart.getChart('chart-agents').data.datasets[0].data")
    assert tokens == [100, 300]
    with page.expect_download() as download:
        page.click("#profile-download")
    with open(download.value.path()) as f:
        data = json.load(f)
    assert {a["agent"]: a["total_tokens"] for a in data["agents"]} == {"writer": 120, "critic": 305}
    assert data["total_cost"] > 0 and [t["sender"] for t in data["timeline"]] == ["boss", "writer", "critic"]
    screenshot(page, "group_chat_profile")


def test_human_in_the_loop(live_server: Any, llm_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    page = open_studio(browser, live_server.url, live_server.token)
    make_workflow(
        page,
        llm_server,
        {"person": {"type": "userproxy", "human_input_mode": "ALWAYS"}, "helper": {"llm": True}},
        {"name": "Ask Me", "sender_id": "person", "receiver_id": "helper"},
    )
    llm_server.script("Which colour do you like?", "Blue it is. TERMINATE")
    start_session(page, "Ask Me", "Paint the fence", timeout=120)

    expect(page.locator(".input-request").first.locator(".prompt")).to_contain_text("helper")
    # a page opened while the agent waits gets the question again
    page.reload()
    page.click("#tab-playground")
    page.locator("#session-list li", has_text="Ask Me session").click()
    request = page.locator(".input-request").first
    expect(request.locator(".prompt")).to_contain_text("helper")
    expect(request.locator(".countdown")).to_contain_text("s left")
    screenshot(page, "human_input_request")
    request.locator("input.input-answer").fill("blue please")
    request.locator("button.answer-send").click()
    expect(page.locator(".msg[data-sender=person]").nth(1)).to_contain_text("blue please")
    # the agent asks again after the last reply: "exit" ends the conversation
    second = page.locator(".input-request").nth(1)
    second.locator("input.input-answer").fill("exit")
    second.locator("input.input-answer").press("Enter")
    expect(page.locator("#final-answer")).to_have_text("Blue it is.")
    expect(request).to_have_class("msg input-request closed")
    # the model saw the person's answer
    assert llm_server.chat_requests()[1]["messages"][-1]["content"] == "blue please"
