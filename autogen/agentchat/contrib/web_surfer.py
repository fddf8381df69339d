"""WebSurferAgent: an agent that answers by browsing the web with a text browser.

Each reply is worked out in an inner conversation: an inner assistant (the surfer's LLM, given the browser
as tools) and an inner user proxy that runs the tools, until the assistant answers without calling one.
The earlier messages of the outer conversation are the inner assistant's context; the browser (a
:class:`~autogen.browser_utils.SimpleTextBrowser`, settings in ``browser_config``) keeps its page between
replies. The tools: ``visit_page``, ``page_up``, ``page_down``, ``find_on_page_ctrl_f``, ``find_next``;
``informational_web_search`` and ``navigational_web_search`` when the browser has a search API key; and
``answer_from_page`` and ``summarize_page`` when there is a summarizer LLM. Needs
``pip install "pyautogen[websurfer]"``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Union

from ..._flow import Call, Flow, flow_backed, run_sync
from ...browser_utils import SimpleTextBrowser
from ...code_utils import content_str
from ...token_count_utils import count_token, get_max_token_limit
from ..agent import Agent
from ..assistant_agent import AssistantAgent
from ..conversable_agent import ConversableAgent
from ..user_proxy_agent import UserProxyAgent
from .web_surfer_tools import register_browser_tools

__all__ = ["WebSurferAgent"]

logger = logging.getLogger(__name__)

MAX_INNER_STEPS = 20
SUMMARY_ROOM = 1024  # tokens left for the summarizer's answer
DEFAULT_SUMMARY_LIMIT = 4096  # when the summarizer model's context window is unknown
RECOMMENDED_SUMMARY_LIMIT = 16000  # a smaller window is logged (classic warning)
SUMMARIZER_SYSTEM = "You read long documents and summarize them faithfully, answering questions about them when asked."


def _calls_a_tool(message: Dict[str, Any]) -> bool:
    return bool(message.get("tool_calls") or message.get("function_call"))


def surfer_reply_flow(
    agent: WebSurferAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Run the inner conversation on the last message; its last word is the reply."""
    if messages is None:
        messages = agent.chat_messages[sender]
    if not messages:
        return False, None
    inner_user, inner_assistant = agent._user_proxy, agent._assistant
    inner_user.reset()
    inner_assistant.reset()
    context = inner_assistant.chat_messages[inner_user]
    context.extend(messages[:-1])
    where = f"Your browser is currently open to the page '{agent.browser.page_title}' at the address '{agent.browser.address}'."
    yield Call(inner_user, "send", where, inner_assistant, request_reply=False, silent=True)
    request = messages[-1].get("content")
    yield Call(
        inner_user,
        "initiate_chat",
        inner_assistant,
        clear_history=False,
        silent=True,
        message=request or "",
        summary_method="last_msg",
    )
    last = inner_user.last_message(inner_assistant)
    return True, None if last is None else last.get("content")


class WebSurferAgent(ConversableAgent):
    """An agent that browses the web to answer (see the module doc).

    Args:
        name, system_message, description, is_termination_msg, max_consecutive_auto_reply, human_input_mode,
            function_map, code_execution_config, default_auto_reply: as for ConversableAgent.
        llm_config: the LLM that drives the browser (it must support tool calls). Required to browse.
        summarizer_llm_config: the LLM that reads whole pages for ``summarize_page`` / ``answer_from_page``;
            None: the ``llm_config``; False: no summarizer (those tools are left out).
        browser_config: the SimpleTextBrowser settings (``viewport_size``, ``downloads_folder``,
            ``bing_api_key``, ``bing_base_url``, ``request_kwargs``, ``start_page``).
    """

    DEFAULT_PROMPT = (
        "You are a helpful assistant with a text web browser, which you use through the functions you are given. "
        "Nobody else in the conversation can browse, so search the web, open pages, read them page by page and "
        "report what you find, citing the addresses you read. When you have the answer, reply without calling a "
        "function. Today's date is " + datetime.now().date().isoformat() + "."
    )
    DEFAULT_DESCRIPTION = (
        "An assistant with a web browser: ask it to search the web, open pages, find things on them, answer "
        "questions from them or summarize them."
    )

    def __init__(
        self,
        name: str,
        system_message: Optional[Union[str, List[str]]] = DEFAULT_PROMPT,
        description: Optional[str] = DEFAULT_DESCRIPTION,
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        max_consecutive_auto_reply: Optional[int] = None,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "TERMINATE",
        function_map: Optional[Dict[str, Callable[..., Any]]] = None,
        code_execution_config: Union[Dict[str, Any], Literal[False]] = False,
        llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = None,
        summarizer_llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = None,
        default_auto_reply: Optional[Union[str, Dict[str, Any]]] = "",
        browser_config: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ):
        super().__init__(
            name=name,
            system_message=system_message,
            description=description,
            is_termination_msg=is_termination_msg,
            max_consecutive_auto_reply=max_consecutive_auto_reply,
            human_input_mode=human_input_mode,
            function_map=function_map,
            code_execution_config=code_execution_config,
            llm_config=llm_config,
            default_auto_reply="" if default_auto_reply is None else default_auto_reply,
            **kwargs,
        )
        self._create_summarizer_client(summarizer_llm_config, llm_config)
        self.browser = SimpleTextBrowser(**(browser_config or {}))
        inner_llm_config: Union[Dict[str, Any], Literal[False]] = self.llm_config if self.llm_config else False
        self._assistant = AssistantAgent(
            f"{self.name}_inner_assistant",
            system_message=system_message,  # type: ignore[arg-type]
            llm_config=inner_llm_config,
            is_termination_msg=lambda message: False,
        )
        self._user_proxy = UserProxyAgent(
            f"{self.name}_inner_user_proxy",
            human_input_mode="NEVER",
            code_execution_config=False,
            default_auto_reply="",
            is_termination_msg=lambda message: not _calls_a_tool(message),
            max_consecutive_auto_reply=MAX_INNER_STEPS,
        )
        if inner_llm_config:
            self._register_functions()
        self.register_reply([Agent, None], WebSurferAgent.generate_surfer_reply, remove_other_reply_funcs=True)
        self.register_reply([Agent, None], ConversableAgent.generate_code_execution_reply)
        self.register_reply([Agent, None], ConversableAgent.generate_function_call_reply)
        self.register_reply([Agent, None], ConversableAgent.check_termination_and_human_reply)

    def _create_summarizer_client(self, summarizer_llm_config: Any, llm_config: Any) -> None:
        if summarizer_llm_config is None:
            summarizer_llm_config = llm_config if llm_config else False
        if summarizer_llm_config:
            summarizer_llm_config = {k: v for k, v in summarizer_llm_config.items() if k not in ("tools", "functions")}
        self.summarizer_llm_config: Union[Dict[str, Any], Literal[False]] = summarizer_llm_config or False
        self.summarization_client: Any = None
        if self.summarizer_llm_config:
            from ...oai.client import OpenAIWrapper

            self.summarization_client = OpenAIWrapper(**self.summarizer_llm_config)

    def _register_functions(self) -> None:
        register_browser_tools(self, self._assistant, self._user_proxy)

    def _browser_state(self) -> Tuple[str, str]:
        """(a header saying where the browser is, the text of its viewport)."""
        browser = self.browser
        header = f"Address: {browser.address}\n"
        if browser.page_title is not None:
            header += f"Title: {browser.page_title}\n"
        header += (
            f"Viewport position: Showing page {browser.viewport_current_page + 1} of {len(browser.viewport_pages)}.\n"
        )
        return header, browser.viewport

    def _summarize_page(self, question: Optional[str] = None, url: Optional[str] = None) -> str:
        """The summarizer's summary of the page (with respect to ``question`` when given)."""
        if self.summarization_client is None:
            return "Error: there is no summarizer LLM to read the page."
        if url is not None and url != self.browser.address:
            self.browser.visit_page(url)
        limit = self._summary_limit()
        if limit < RECOMMENDED_SUMMARY_LIMIT:
            logger.warning(
                "The token limit (%s) of the WebSurferAgent.summarizer_llm_config, is below the recommended 16k.", limit
            )
        text = self._page_prefix(limit - SUMMARY_ROOM)
        if not text:
            return "Nothing to summarize."
        focus = f" with respect to '{question}'" if question else ""
        prompt = f"Summarize the following text into one or two paragraphs{focus}:\n\n{text}"
        messages = [{"role": "system", "content": SUMMARIZER_SYSTEM}, {"role": "user", "content": prompt}]
        response = self.summarization_client.create(messages=messages)
        return content_str(self.summarization_client.extract_text_or_completion_object(response)[0])

    def _summary_limit(self) -> int:
        config = self.summarizer_llm_config or {}
        config_list = config.get("config_list") or [config]
        try:
            return get_max_token_limit(str(config_list[0].get("model")))
        except KeyError:
            return DEFAULT_SUMMARY_LIMIT

    def _page_prefix(self, budget: int) -> str:
        """As many whole lines from the start of the page as fit in ``budget`` tokens."""
        kept: List[str] = []
        used = 0
        for line in re.split(r"(?<=\n)", self.browser.page_content):
            cost = count_token(line) if line else 0
            if used + cost > budget:
                break
            kept.append(line)
            used += cost
        return "".join(kept).strip()

    @flow_backed(surfer_reply_flow)
    def generate_surfer_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Optional[Union[str, Dict[str, Any]]]]:
        """The answer of the inner conversation (assistant with browser tools + tool runner) to the last message."""
        return run_sync(surfer_reply_flow(self, messages, sender, config))
