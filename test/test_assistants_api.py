"""The test server's Assistants API, checked through the real openai SDK's request methods."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.pagination import SyncCursorPage
from openai.types.beta import Assistant, Thread
from openai.types.beta.threads import Message, Run

BETA = {"headers": {"OpenAI-Beta": "assistants=v2"}}


def client(server: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)


def test_assistants_are_listed_in_pages(llm_server: Any) -> None:
    c = client(llm_server)
    ids = [
        c.post("/assistants", cast_to=Assistant, body={"model": "gpt-4", "name": f"a{i}"}, options=BETA).id
        for i in range(3)
    ]
    page = c.get("/assistants", cast_to=SyncCursorPage[Assistant], options={**BETA, "params": {"limit": 2}})
    assert [a.id for a in page.data] == ids[::-1][:2] and page.has_more
    rest = c.get(
        "/assistants",
        cast_to=SyncCursorPage[Assistant],
        options={**BETA, "params": {"limit": 2, "after": page.data[-1].id}},
    )
    assert [a.id for a in rest.data] == [ids[0]] and not rest.has_more
    with pytest.raises(openai.BadRequestError, match="model"):
        c.post("/assistants", cast_to=Assistant, body={"name": "no model"}, options=BETA)
    with pytest.raises(openai.NotFoundError):
        c.get("/assistants/asst_missing", cast_to=Assistant, options=BETA)


def test_a_run_in_progress_guards_its_thread(llm_server: Any) -> None:
    c = client(llm_server)
    assistant = c.post(
        "/assistants", cast_to=Assistant, body={"model": "gpt-4", "instructions": "Be kind."}, options=BETA
    )
    thread = c.post("/threads", cast_to=Thread, body={"messages": [{"role": "user", "content": "hello"}]}, options=BETA)
    llm_server.assistants.polls = 1
    run = c.post(f"/threads/{thread.id}/runs", cast_to=Run, body={"assistant_id": assistant.id}, options=BETA)
    assert run.status == "queued"
    with pytest.raises(openai.BadRequestError, match="while a run"):
        c.post(f"/threads/{thread.id}/messages", cast_to=Message, body={"role": "user", "content": "x"}, options=BETA)
    assert c.get(f"/threads/{thread.id}/runs/{run.id}", cast_to=Run, options=BETA).status == "in_progress"
    done = c.get(f"/threads/{thread.id}/runs/{run.id}", cast_to=Run, options=BETA)
    assert done.status == "completed" and done.usage is not None
    messages = c.get(
        f"/threads/{thread.id}/messages",
        cast_to=SyncCursorPage[Message],
        options={**BETA, "params": {"run_id": run.id}},
    )
    assert [m.content[0].text.value for m in messages.data] == ["echo: hello"]
    assert llm_server.assistants.model_requests[0]["messages"][0] == {"role": "system", "content": "Be kind."}
    with pytest.raises(openai.BadRequestError, match="Cannot cancel"):
        c.post(f"/threads/{thread.id}/runs/{run.id}/cancel", cast_to=Run, body={}, options=BETA)


def test_cancel_and_azure_paths(llm_server: Any) -> None:
    c = openai.AzureOpenAI(azure_endpoint=llm_server.url, api_key="k", api_version="2024-05-01-preview", max_retries=0)
    assistant = c.post("/assistants", cast_to=Assistant, body={"model": "gpt-4o"}, options=BETA)
    thread = c.post("/threads", cast_to=Thread, body={}, options=BETA)
    llm_server.script({"content": "slow", "polls": 5})
    run = c.post(f"/threads/{thread.id}/runs", cast_to=Run, body={"assistant_id": assistant.id}, options=BETA)
    assert (
        c.post(f"/threads/{thread.id}/runs/{run.id}/cancel", cast_to=Run, body={}, options=BETA).status == "cancelling"
    )
    assert c.get(f"/threads/{thread.id}/runs/{run.id}", cast_to=Run, options=BETA).status == "cancelled"
    assert llm_server.requests[0].path == "/openai/assistants"
    assert llm_server.pending == 0
