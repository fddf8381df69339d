"""How GPTAssistantAgent answers: one flow from new messages to the assistant's reply.

:func:`invoke_assistant_flow` is the agent's reply function. Per peer it keeps one thread; each turn it
adds the messages the thread has not seen yet, starts a run, polls it until it stops (sleeping
``check_every_ms`` between checks), runs the tools the run asks for through the agent's
``function_map`` and submits their outputs, and finally reads the messages the run wrote.

Every request is an :class:`~.assistants_client.ApiCall` effect and every wait a
:class:`~.assistants_client.Sleep` effect, so the same flow runs blocking in sync chats and without
ever blocking the event loop in async chats.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from ..._flow import Call, Flow, Gather
from ..messages import content_text
from . import assistants_client as api
from .assistant_utils import AssistantRunError, annotation_file_ids, format_message, run_error_message, thread_message

if TYPE_CHECKING:
    from ..agent import Agent
    from .gpt_assistant_agent import GPTAssistantAgent

__all__ = ["delete_threads_flow", "fresh_messages", "invoke_assistant_flow"]

logger = logging.getLogger(__name__)

IN_PROGRESS = ("queued", "in_progress", "cancelling")
# a run takes at most this many messages inline (``additional_messages``); more are added one by one first
MAX_INLINE_MESSAGES = 32


def fresh_messages(
    messages: Sequence[Dict[str, Any]], history_length: int, synced: int, last_reply: Optional[str]
) -> List[Dict[str, str]]:
    """The thread messages for the part of the conversation the thread has not seen.

    ``synced`` of the ``history_length`` stored messages are in the thread already; ``messages`` is the
    conversation as the reply functions see it (hooks may have rewritten it), whose tail is taken. The
    agent's own last reply, written to the thread by the run that produced it, is not added again.
    """
    count = history_length - synced
    if count <= 0:
        return []
    new = list(messages[max(0, len(messages) - count) :])
    if (
        last_reply is not None
        and new
        and new[0].get("role") == "assistant"
        and content_text(new[0].get("content")) == last_reply
    ):
        new = new[1:]
    return [m for m in (thread_message(x) for x in new) if m is not None]


def invoke_assistant_flow(
    agent: GPTAssistantAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Any = None,
) -> Flow[Tuple[bool, Any]]:
    """The assistant's reply to the conversation with ``sender`` (always final)."""
    if messages is None:
        messages = agent.chat_messages[sender]
    client = agent._assistants_client
    agent.cancellation_requested = False
    yield from delete_threads_flow(client, agent._threads_to_delete)
    thread = agent._openai_threads.get(sender)
    if thread is None:
        thread = yield client.call(api.create_thread())
        agent._openai_threads[sender] = thread
    interrupted = agent._interrupted_runs.pop(thread.id, None)
    if interrupted is not None:
        yield from _settle_flow(agent, client, thread.id, interrupted)
    history = agent.chat_messages.get(sender, messages) if sender is not None else messages
    new = fresh_messages(messages, len(history), agent._unread_index.get(sender, 0), agent._last_reply.get(sender))
    run = yield from _start_run_flow(client, thread.id, agent.assistant_id, agent.system_message, new)
    agent._unread_index[sender] = len(history)
    try:
        run = yield from _complete_run_flow(agent, client, thread.id, run)
    except BaseException as err:
        # interrupted (Ctrl-C in a tool, a lost connection, a cancelled task): the run may go on and would
        # lock the thread, so the next turn on this thread first waits for it to stop
        agent._interrupted_runs[thread.id] = run.id
        if isinstance(err, (Exception, KeyboardInterrupt)):  # a cancelled task or closed flow must not wait
            yield from _abandon_flow(client, thread.id, run.id)
        raise
    if run.status == "cancelled" and agent.cancellation_requested:
        logger.info("Run %s was cancelled on request.", run.id)
        agent.cancellation_requested = False
        return True, None
    if run.status == "incomplete":
        logger.warning("Run %s is incomplete (%s); replying with what it wrote.", run.id, run.incomplete_details)
    elif run.status != "completed":
        raise AssistantRunError(run_error_message(run, thread.id), run)
    written = yield from _run_messages_flow(client, thread.id, run.id)
    names = yield from _file_names_flow(client, annotation_file_ids(written))
    content = "\n\n".join(format_message(message, names) for message in written)
    agent._last_reply[sender] = content
    return True, {"role": "assistant", "content": content}


def _start_run_flow(
    client: api.AssistantsClient,
    thread_id: str,
    assistant_id: str,
    instructions: Optional[str],
    new: List[Dict[str, str]],
) -> Flow[Any]:
    split = max(0, len(new) - MAX_INLINE_MESSAGES)
    for message in new[:split]:
        yield client.call(api.create_message(thread_id, message))
    params = {"assistant_id": assistant_id, "instructions": instructions, "additional_messages": new[split:] or None}
    return (yield client.call(api.create_run(thread_id, params)))


def _complete_run_flow(agent: GPTAssistantAgent, client: api.AssistantsClient, thread_id: str, run: Any) -> Flow[Any]:
    """Poll ``run`` and answer its tool calls until it stops."""
    while True:
        while run.status in IN_PROGRESS:
            if agent.cancellation_requested and run.status != "cancelling":
                run = yield from _cancel_flow(client, thread_id, run)
                continue
            yield api.Sleep(agent._poll_seconds)
            run = yield client.call(api.retrieve_run(thread_id, run.id))
        action: Any = getattr(run, "required_action", None)
        if run.status != "requires_action" or getattr(action, "type", None) != "submit_tool_outputs":
            return run
        if agent.cancellation_requested:
            run = yield from _cancel_flow(client, thread_id, run)
            continue
        calls = action.submit_tool_outputs.tool_calls
        outputs = yield Gather(_tool_output_flow(agent, call) for call in calls)
        run = yield client.call(api.submit_tool_outputs(thread_id, run.id, outputs))


def _cancel_flow(client: api.AssistantsClient, thread_id: str, run: Any) -> Flow[Any]:
    import openai

    try:
        return (yield client.call(api.cancel_run(thread_id, run.id)))
    except openai.BadRequestError:  # it stopped meanwhile
        return (yield client.call(api.retrieve_run(thread_id, run.id)))


def _abandon_flow(client: api.AssistantsClient, thread_id: str, run_id: str) -> Flow[None]:
    try:
        yield client.call(api.cancel_run(thread_id, run_id))
    except Exception as err:  # best effort: the run may have ended, or the endpoint be unreachable
        logger.info("Could not cancel run %s: %s", run_id, err)


def _settle_flow(agent: GPTAssistantAgent, client: api.AssistantsClient, thread_id: str, run_id: str) -> Flow[None]:
    """Wait until an interrupted run of the thread has stopped, cancelling it if it still goes on."""
    import openai

    try:
        run = yield client.call(api.retrieve_run(thread_id, run_id))
        while run.status in IN_PROGRESS or run.status == "requires_action":
            if run.status != "cancelling":
                run = yield from _cancel_flow(client, thread_id, run)
                continue
            yield api.Sleep(agent._poll_seconds)
            run = yield client.call(api.retrieve_run(thread_id, run_id))
    except openai.NotFoundError:
        pass


def _tool_output_flow(agent: GPTAssistantAgent, call: Any) -> Flow[Dict[str, str]]:
    function = {"name": call.function.name, "arguments": call.function.arguments}
    succeeded, result = yield Call(agent, "execute_function", function, call_id=call.id, verbose=agent._verbose)
    output = str(result.get("content") or "")
    # the classic line, then the call's id
    logger.info("Intermediate executing(%s, Success: %s) : %s [%s]", call.function.name, succeeded, output, call.id)
    return {"tool_call_id": call.id, "output": output}


def _run_messages_flow(client: api.AssistantsClient, thread_id: str, run_id: str) -> Flow[List[Any]]:
    written: List[Any] = []
    after = None
    while True:
        page = yield client.call(api.list_messages(thread_id, run_id=run_id, after=after))
        written.extend(m for m in page.data if m.run_id == run_id and m.role == "assistant")
        if not page.has_more or not page.data:
            return written
        after = page.data[-1].id


def _file_names_flow(client: api.AssistantsClient, file_ids: List[str]) -> Flow[Dict[str, str]]:
    import openai

    names: Dict[str, str] = {}
    for file_id in file_ids:
        try:
            names[file_id] = (yield client.call(api.retrieve_file(file_id))).filename
        except openai.APIError as err:  # a citation without its file's name is still useful
            logger.info("Cannot read the name of file %s: %s", file_id, err)
    return names


def delete_threads_flow(client: api.AssistantsClient, thread_ids: List[str]) -> Flow[None]:
    """Delete the threads of ``thread_ids`` (emptied as it goes); missing ones are fine."""
    import openai

    while thread_ids:
        thread_id = thread_ids.pop(0)
        try:
            yield client.call(api.delete_thread(thread_id))
        except openai.NotFoundError:
            pass
        except openai.APIError as err:
            logger.warning("Could not delete thread %s: %s", thread_id, err)
