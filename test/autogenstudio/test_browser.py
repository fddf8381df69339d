"""End to end in a real headless Chromium: build a skill, a model, agents and a workflow through the page, run a
session against the local LLM server, watch the messages stream in and the file appear, publish to the gallery."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium, start_cli

pytestmark = needs_chromium

SKILL = '''def save_answer(text: str) -> str:
    """Save the answer to answer.txt and return the file name."""
    with open("answer.txt", "w") as f:
        f.write(text)
    return "answer.txt"
'''


@pytest.fixture
def page(live_server: Any) -> Iterator[Any]:
    playwright_sync = pytest.importorskip("playwright.sync_api")
    playwright_sync.expect.set_options(timeout=30_000)  # a loaded CI machine runs the agents slowly
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists()
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            page.goto(f"{live_server.url}/?token={live_server.token}")
            yield page
        finally:
            browser.close()


def _new(page: Any, tab: str) -> None:
    from playwright.sync_api import expect

    page.click(f"#build-{tab}")
    expect(page.locator("#form-title")).to_have_text("New " + tab[:-1])
    page.click("#new-item")


def test_build_run_publish_in_the_browser(page: Any, llm_server: Any) -> None:
    from playwright.sync_api import expect

    # --- a skill: invalid code is refused with a clear message, then a good one is saved
    _new(page, "skills")
    page.fill("#field-name", "save_answer")
    page.fill("#field-content", "def save_answer(:\n")
    page.click("#save-item")
    expect(page.locator("#form-error")).to_contain_text("syntax error")
    page.fill("#field-content", SKILL)
    page.click("#save-item")
    expect(page.locator("#item-list")).to_contain_text("save_answer")

    # --- a model pointing at the local server; its key is masked once saved
    _new(page, "models")
    page.fill("#field-model", "gpt-4")
    page.fill("#field-api_key", "sk-browser-key-9876")
    page.fill("#field-base_url", llm_server.base_url)
    page.click("#save-item")
    expect(page.locator("#form-title")).to_have_text("Edit model")
    expect(page.locator("#field-api_key")).to_have_value("****9876")

    # --- two agents
    _new(page, "agents")
    page.fill("#field-name", "coder")
    page.select_option("#field-model_ids", label="gpt-4")
    page.select_option("#field-skill_ids", label="save_answer")
    page.click("#save-item")
    expect(page.locator("#item-list")).to_contain_text("coder")
    page.click("#new-item")
    page.fill("#field-name", "runner")
    page.select_option("#field-type", "userproxy")
    page.check("#field-code_execution")
    page.click("#save-item")
    expect(page.locator("#item-list")).to_contain_text("runner")

    # --- a workflow
    _new(page, "workflows")
    page.fill("#field-name", "My Flow")
    page.select_option("#field-sender_id", label="runner")
    page.select_option("#field-receiver_id", label="coder")
    page.click("#save-item")
    expect(page.locator("#item-list")).to_contain_text("My Flow")

    # --- playground: the first reply writes the file through the skill; the last one comes late
    llm_server.script(
        "```python\nfrom skills import save_answer\nprint(save_answer('42'))\n```",
        {"content": "Saved the answer. TERMINATE", "delay": 1.5},
    )
    page.click("#tab-playground")
    page.select_option("#session-workflow", label="My Flow")
    page.click("#new-session")
    expect(page.locator("#send")).to_be_enabled()
    page.fill("#chat-input", "Save 42 as the answer")
    page.click("#send")
    # streamed: the code execution's output shows while the final reply is still being produced
    expect(page.locator(".msg[data-sender=runner]").nth(1)).to_contain_text("exitcode: 0")
    assert page.locator("#result").is_hidden()
    expect(page.locator("#final-answer")).to_have_text("Saved the answer.")
    expect(page.locator("#result")).to_contain_text("Time:")
    expect(page.locator(".msg[data-sender=coder]").first).to_contain_text("from skills import save_answer")
    link = page.locator("#files a", has_text="answer.txt")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert page.request.get(page.url.rstrip("/") + href).text() == "42"
    assert (
        page.request.get(page.url.rstrip("/") + href.replace("answer.txt", "..%2F..%2Fdatabase.sqlite")).status == 403
    )

    # --- publish and view in the gallery
    page.click("#publish-session")
    expect(page.locator("#notice")).to_contain_text("Published")
    page.click("#tab-gallery")
    page.locator("#gallery-list li").first.click()
    expect(page.locator("#gallery-title")).to_contain_text("My Flow")
    expect(page.locator("#gallery-view")).to_contain_text("Saved the answer.")


EVIL_PAGE = """<!doctype html><title>evil</title><script>
window.results = {};
const studio = "STUDIO";
fetch(studio + "/api/skills", {method: "POST", mode: "no-cors", credentials: "include",
  headers: {"Content-Type": "text/plain"}, body: JSON.stringify({name: "evil", content: "def evil(): pass"})})
  .then(() => { window.results.post = "sent"; }, () => { window.results.post = "failed"; });
const ws = new WebSocket(studio.replace("http", "ws") + "/api/ws/SESSION");
ws.onmessage = (e) => { window.results.ws = "read: " + e.data; };
ws.onclose = () => { if (!window.results.ws) window.results.ws = "refused"; };
</script>"""


def test_printed_url_opens_and_other_pages_are_refused(tmp_path: Path, llm_server: Any) -> None:
    """Open the URL ``autogenstudio ui`` prints; then a page without the token, and another site's page (served
    from 127.0.0.1 on another port, so the SameSite cookie does travel) trying to use the API and the websocket."""
    import http.server
    import threading
    import urllib.request

    from playwright.sync_api import expect, sync_playwright

    proc, url = start_cli(tmp_path)
    base, token = url.split("/?token=")
    evil_server = None
    try:
        auth = {"Authorization": f"token {token}", "Content-Type": "application/json"}
        with urllib.request.urlopen(urllib.request.Request(base + "/api/workflows", headers=auth), timeout=10) as r:
            workflow_id = json.load(r)[0]["id"]
        body = json.dumps({"workflow_id": workflow_id}).encode()
        with urllib.request.urlopen(urllib.request.Request(base + "/api/sessions", body, auth), timeout=10) as r:
            session_id = json.load(r)["id"]
        page_html = EVIL_PAGE.replace("STUDIO", base).replace("SESSION", session_id).encode()

        class Evil(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(page_html)

            def log_message(self, *args: Any) -> None:
                pass

        evil_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
        threading.Thread(target=evil_server.serve_forever, daemon=True).start()

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context()
                page = context.new_page()
                page.set_default_timeout(15000)
                page.goto(url)
                assert "token" not in page.url  # redirected to the clean URL, the token now in a cookie
                page.click("#tab-playground")
                expect(page.locator("#session-workflow")).to_contain_text("Default Workflow")
                (cookie,) = [c for c in context.cookies() if c["name"].startswith("autogenstudio_token_")]
                assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["value"] == token

                # another site's page in the same browser, holding the cookie: no write, no conversation
                evil = context.new_page()
                evil.goto(f"http://127.0.0.1:{evil_server.server_address[1]}/")
                evil.wait_for_function("window.results.post && window.results.ws")
                assert evil.evaluate("window.results.ws") == "refused"
                names = [s["name"] for s in page.request.get(base + "/api/skills").json()]
                assert "evil" not in names and len(names) == 3

                # a fresh browser without the token is refused
                stranger = browser.new_context().new_page()
                response = stranger.goto(base + "/")
                assert response is not None and response.status == 401
                assert "access token" in stranger.content() and "Playground" not in stranger.content()
                stranger.fill("input[name=token]", "not-the-token-at-all")
                stranger.click("button[type=submit]")
                assert "Playground" not in stranger.content()
                stranger.fill("input[name=token]", token)  # the token pasted into the form lets the user in
                stranger.click("button[type=submit]")
                expect(stranger.locator("#tab-playground")).to_be_visible()
                assert "token" not in stranger.url
            finally:
                browser.close()
    finally:
        if evil_server is not None:
            evil_server.shutdown()
        proc.terminate()
        proc.wait(timeout=10)
