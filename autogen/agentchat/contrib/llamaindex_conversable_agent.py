"""LLamaIndexConversableAgent: a ConversableAgent whose replies come from a LlamaIndex agent or chat engine.

Needs ``llama-index-core`` (the ``llamaindex`` extra: ``pip install "pyautogen[llamaindex]"``). The LlamaIndex
object is either one with ``chat(message, chat_history)`` / ``achat(...)`` returning a response with ``.response``
(the classic ``AgentRunner``, ``ReActAgent.from_tools``, chat engines), or a workflow agent of llama-index-core
0.12+ (``FunctionAgent``, ``ReActAgent``, ``AgentWorkflow``) whose ``run(user_msg=, chat_history=)`` is awaited.
The conversation with the sender is passed as the chat history (its user and assistant messages).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..._flow import IS_ASYNC, Flow, Invoke
from ..._optional import import_optional
from ..conversable_agent import ConversableAgent
from ._flow_reply import reply_from_flow

__all__ = ["LLamaIndexConversableAgent", "extract_message_and_history"]


def _chat_message_class() -> Any:
    module = import_optional(
        "llama_index.core.llms", package="llama-index-core", extra="llamaindex", feature="LLamaIndexConversableAgent"
    )
    return module.ChatMessage


def extract_message_and_history(messages: List[Dict[str, Any]]) -> Tuple[str, List[Any]]:
    """The last message's text, and the earlier user/assistant messages as LlamaIndex ``ChatMessage`` s."""
    chat_message = _chat_message_class()
    last = messages[-1].get("content") if messages else ""
    history = [
        chat_message(content=m.get("content") or "", role=m["role"], additional_kwargs={})
        for m in messages[:-1]
        if m.get("role") in ("user", "assistant")
    ]
    return (last if isinstance(last, str) else str(last or "")), history


async def _run_workflow_agent(agent: Any, message: str, history: List[Any]) -> str:
    """Run a workflow agent (``agent.run(...)`` returns a handler to await) and return its answer's text."""
    output = await agent.run(user_msg=message, chat_history=history)
    response = getattr(output, "response", output)
    content = getattr(response, "content", response)
    return "" if content is None else str(content)


def llamaindex_reply_flow(
    agent: LLamaIndexConversableAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Any = None,
    config: Any = None,
) -> Flow[Tuple[bool, Any]]:
    """The LlamaIndex object's answer to the last message (always final)."""
    if messages is None:
        messages = agent.chat_messages[sender]
    message, history = extract_message_and_history(messages)
    engine = agent._llama_index_agent
    if callable(getattr(engine, "chat", None)):
        is_async = yield IS_ASYNC
        if is_async and callable(getattr(engine, "achat", None)):
            response = yield Invoke(engine.achat, kwargs={"message": message, "chat_history": history})
        else:
            response = yield Invoke(engine.chat, kwargs={"message": message, "chat_history": history}, blocking=True)
        return True, str(getattr(response, "response", response))
    text = yield Invoke(_run_workflow_agent, (engine, message, history))
    return True, text


class LLamaIndexConversableAgent(ConversableAgent):
    """A ConversableAgent answering with ``llama_index_agent`` instead of its own LLM.

    Args:
        name: the agent's name.
        llama_index_agent: a LlamaIndex agent or chat engine (see the module's documentation).
        description: what the agent does (required: group chats select speakers by it).
        **kwargs: the other ConversableAgent arguments.
    """

    def __init__(self, name: str, llama_index_agent: Any, description: Optional[str] = None, **kwargs: Any) -> None:
        if llama_index_agent is None:
            raise ValueError("llama_index_agent must be provided")
        if not (
            callable(getattr(llama_index_agent, "chat", None)) or callable(getattr(llama_index_agent, "run", None))
        ):
            raise ValueError(
                "llama_index_agent must be a LlamaIndex agent or chat engine (with chat()/achat() or run()), "
                f"got {type(llama_index_agent).__name__}."
            )
        if description is None or description.isspace():
            raise ValueError("description must be provided")
        super().__init__(name, description=description, **kwargs)
        self._llama_index_agent = llama_index_agent
        reply = reply_from_flow(llamaindex_reply_flow)
        self.replace_reply_func(ConversableAgent.generate_oai_reply, reply)
        self.replace_reply_func(ConversableAgent.a_generate_oai_reply, reply)

    @property
    def llama_index_agent(self) -> Any:
        return self._llama_index_agent
