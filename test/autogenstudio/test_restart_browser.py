"""A session survives a restart of ``autogenstudio ui``: its agents were checkpointed with autogen.state, so a follow-up
sent after the restart continues with their memories. Then it is published and opened read-only in the gallery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import make_workflow, needs_chromium, open_studio, screenshot, start_cli, start_session

pytestmark = needs_chromium


def _stop(proc: Any) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def test_restart_continue_publish(tmp_path: Path, llm_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    proc, url = start_cli(tmp_path)
    try:
        base, token = url.split("/?token=")
        page = open_studio(browser, base, token)
        make_workflow(
            page,
            llm_server,
            {"me": {"type": "userproxy"}, "mind": {"llm": True}},
            {"name": "Memory", "sender_id": "me", "receiver_id": "mind"},
        )
        llm_server.script("I will remember 7. TERMINATE")
        start_session(page, "Memory", "Remember the number 7")
        expect(page.locator("#final-answer")).to_have_text("I will remember 7.")
        page.close()
    finally:
        _stop(proc)
    assert (tmp_path / "app" / "work").is_dir()

    proc, url = start_cli(tmp_path)  # the same app dir, a new process (and a new token)
    try:
        base, token = url.split("/?token=")
        page = open_studio(browser, base, token)
        page.click("#tab-playground")
        page.locator("#session-list li", has_text="Memory session").click()
        expect(page.locator(".msg[data-sender=mind]")).to_contain_text("I will remember 7.")  # the stored messages
        llm_server.script("The number was 7. TERMINATE")
        page.fill("#chat-input", "Which number?")
        page.click("#send")
        expect(page.locator("#final-answer")).to_have_text("The number was 7.")
        # the agents' memory came back: the model got the whole conversation, not just the follow-up
        sent = [m.get("content") for m in llm_server.chat_requests()[-1]["messages"]]
        assert sent[1:] == ["Remember the number 7", "I will remember 7. TERMINATE", "Which number?"]
        screenshot(page, "session_after_restart")

        page.click("#publish-session")
        expect(page.locator("#notice")).to_contain_text("Published")
        page.click("#tab-gallery")
        page.locator("#gallery-list li", has_text="Memory session").click()
        view = page.locator("#gallery-view")
        expect(view.locator("#gallery-title")).to_have_text("Memory session")
        expect(view.locator(".badge")).to_have_text("read-only")
        expect(view.locator(".msg[data-sender=mind]").nth(1)).to_contain_text("The number was 7.")
        expect(view.locator(".profile-summary")).to_contain_text("2 run(s)")
        assert view.locator("textarea, input, button").count() == 0  # nothing to edit or send
        screenshot(page, "gallery_read_only")
    finally:
        _stop(proc)
