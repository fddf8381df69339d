"""The visual group-chat builder, in a real headless Chromium: agents added, connected and removed by mouse on the
graph, problems shown on it, the graph saved and read back (workflow JSON), exported, and run in the playground
with the speaker order the graph allows."""

from __future__ import annotations

import json
from typing import Any, Dict

from conftest import api, needs_chromium, open_studio, screenshot, start_session

pytestmark = needs_chromium


def _click_node(page: Any, agent_id: int) -> None:
    canvas = page.locator("#graph-canvas")
    canvas.scroll_into_view_if_needed()
    # a node just added may still be moving into its place (layout, viewport fit): click where it comes to rest
    where = "(id) => JSON.stringify(studioGraph.getElementById(String(id)).renderedPosition())"
    pos, previous = page.evaluate(where, agent_id), None
    for _ in range(100):  # at most 10 s
        if pos == previous:
            break
        page.wait_for_timeout(100)
        previous, pos = pos, page.evaluate(where, agent_id)
    pos = json.loads(pos)
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def _edges(page: Any) -> Any:
    return sorted(
        page.evaluate("() => studioGraph.edges().map((e) => [Number(e.source().id()), Number(e.target().id())])")
    )


def test_build_group_chat_in_the_graph_editor(live_server: Any, llm_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    page = open_studio(browser, live_server.url, live_server.token)
    model = api(
        page, "POST", "/api/models", {"model": "gpt-4", "api_key": "sk-x-1234", "base_url": llm_server.base_url}
    )
    ids: Dict[str, int] = {}
    for name in ("planner", "coder", "reviewer", "extra"):
        ids[name] = api(page, "POST", "/api/agents", {"name": name, "model_ids": [model["id"]]})["id"]
    ids["boss"] = api(page, "POST", "/api/agents", {"name": "boss", "type": "userproxy"})["id"]

    page.click("#build-workflows")
    expect(page.locator("#item-list")).to_contain_text("Default Workflow")  # the lists (and agents) are loaded
    page.click("#new-item")
    page.fill("#field-name", "Graph Team")
    page.select_option("#field-type", "groupchat")
    expect(page.locator("#graph-panel")).to_be_visible()
    expect(page.locator("#field-agent_ids")).to_be_hidden()  # the graph replaces the list
    page.select_option("#field-sender_id", label="boss")
    page.select_option("#field-speaker_selection_method", "round_robin")
    page.fill("#field-max_round", "4")
    for name in ("planner", "coder", "reviewer", "extra"):
        page.click(f"#graph-palette .chip[data-agent='{ids[name]}']")
    page.wait_for_function("() => studioGraph.nodes().length === 4")
    shown = json.loads(page.input_value("#graph-json"))  # the graph as workflow JSON
    assert shown == {"agent_ids": [ids[n] for n in ("planner", "coder", "reviewer", "extra")], "transitions": []}

    # connect by mouse: click a node, then the one that may speak after it
    _click_node(page, ids["planner"])
    _click_node(page, ids["reviewer"])
    assert _edges(page) == [[ids["planner"], ids["reviewer"]]]
    problems = page.locator("#graph-problems")
    expect(problems.locator(f"li[data-agent='{ids['coder']}']")).to_have_attribute("data-kind", "isolated")
    expect(problems.locator(f"li[data-agent='{ids['reviewer']}']")).to_contain_text("no one may speak after reviewer")
    assert page.evaluate("(id) => studioGraph.getElementById(String(id)).hasClass('problem')", ids["coder"])
    screenshot(page, "graph_builder_problems")
    page.click("#save-item")  # a graph with problems is not saved
    expect(page.locator("#form-error")).to_contain_text("speaker transitions are not usable")

    _click_node(page, ids["reviewer"])
    _click_node(page, ids["coder"])
    _click_node(page, ids["coder"])
    _click_node(page, ids["planner"])
    # remove the extra agent: select it, remove
    _click_node(page, ids["extra"])
    page.click("#graph-remove")
    expect(problems).to_be_hidden()
    chain = sorted([[ids["planner"], ids["reviewer"]], [ids["reviewer"], ids["coder"]], [ids["coder"], ids["planner"]]])
    assert _edges(page) == chain
    screenshot(page, "graph_builder_valid")
    page.click("#save-item")
    expect(page.locator("#form-title")).to_have_text("Edit workflow")

    # round trip: the stored workflow holds the graph; reloading the page draws it again
    stored = [w for w in api(page, "GET", "/api/workflows") if w["name"] == "Graph Team"][0]
    assert sorted(stored["transitions"]) == chain and sorted(stored["agent_ids"]) == sorted(
        ids[n] for n in ("planner", "coder", "reviewer")
    )
    page.reload()
    page.click("#build-workflows")
    page.locator("#item-list li", has_text="Graph Team").click()
    expect(page.locator("#graph-panel")).to_be_visible()
    page.wait_for_function("() => window.studioGraph && studioGraph.edges().length === 3")
    assert _edges(page) == chain
    exported = api(page, "GET", f"/api/workflows/{stored['id']}/export")
    assert exported["groupchat"]["allowed_transitions"] == {
        "planner": ["reviewer"],
        "reviewer": ["coder"],
        "coder": ["planner"],
    }

    # run it: round robin would go planner, coder, reviewer; the graph makes it planner, reviewer, coder
    llm_server.script("A plan.", "A review.", "The code. TERMINATE")
    start_session(page, "Graph Team", "Build it")
    expect(page.locator("#final-answer")).to_have_text("The code.")
    speakers = page.locator("#chat details.inner-group .msg").evaluate_all("(ms) => ms.map((m) => m.dataset.sender)")
    assert speakers == ["planner", "reviewer", "coder"]


def test_export_and_import_a_workflow_file(live_server: Any, browser: Any, tmp_path: Any) -> None:
    from playwright.sync_api import expect

    page = open_studio(browser, live_server.url, live_server.token)
    page.click("#build-workflows")
    page.locator("#item-list li", has_text="Default Workflow").click()
    with page.expect_download() as download:
        page.click("#export-workflow")
    assert download.value.suggested_filename == "Default_Workflow.json"
    exported = json.loads(open(download.value.path()).read())
    # one file: the agents with their skills and models, no API key
    assert exported["sender"]["name"] == "user_proxy" and exported["receiver"]["name"] == "primary_assistant"
    assert [m["model"] for m in exported["receiver"]["llm_config"]["config_list"]] == ["gpt-4o"]
    assert {s["name"] for s in exported["receiver"]["skills"]} >= {"fetch_web_page_text"}
    assert all(m["api_key"] is None for m in exported["receiver"]["llm_config"]["config_list"])

    exported["name"] = "Imported Flow"
    exported["receiver"]["name"] = "imported_assistant"
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(exported))
    skills_before = len(api(page, "GET", "/api/skills"))
    page.set_input_files("#import-file", str(path))
    expect(page.locator("#notice")).to_contain_text('Imported workflow "Imported Flow"')
    expect(page.locator("#item-list")).to_contain_text("Imported Flow")
    expect(page.locator("#form-title")).to_have_text("Edit workflow")
    assert len(api(page, "GET", "/api/skills")) == skills_before  # the same skills are reused, not copied
    agents = {a["name"] for a in api(page, "GET", "/api/agents")}
    assert "imported_assistant" in agents
    imported = [w for w in api(page, "GET", "/api/workflows") if w["name"] == "Imported Flow"][0]
    again = api(page, "GET", f"/api/workflows/{imported['id']}/export")
    assert again == exported  # the round trip keeps everything

    page.set_input_files("#import-file", {"name": "bad.json", "mimeType": "application/json", "buffer": b'{"type": 1}'})
    expect(page.locator("#form-error")).to_contain_text("import of bad.json failed")
    screenshot(page, "workflow_import")
