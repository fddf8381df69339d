"""RetrieveUserProxyAgent: a user proxy that answers with context retrieved from the user's documents.

Start a chat with ``message=ragproxyagent.message_generator`` and the question as ``problem``::

    ragproxyagent = RetrieveUserProxyAgent("ragproxyagent", human_input_mode="NEVER",
                                           retrieve_config={"task": "qa", "docs_path": "docs/"})
    ragproxyagent.initiate_chat(assistant, message=ragproxyagent.message_generator, problem="...", n_results=5)

The first message carries the question and the closest chunks of the documents. When the assistant
answers "UPDATE CONTEXT" (at the start or the end of its reply), the agent's reply function sends the
question again with the next chunks (searching wider when the first results are used up), resetting the
conversation; when nothing is left, it replies "TERMINATE". Any other answer ends the chat (unless it
holds code to run), as classic AutoGen does.

The documents are read, split and embedded on the first retrieval (see ``rag.ingest`` for what happens
to an existing collection). Retrieval is local, CPU-bound work; the reply function is one flow (see
``autogen._flow``) that runs it in a worker thread in async chats so the event loop never blocks.
Needs ``pip install "pyautogen[retrievechat]"`` (chromadb) or ``"pyautogen[retrievechat-qdrant]"``.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any, Callable, Dict, List, Literal, Optional, Set, Tuple, Union

from ..._flow import Flow, Invoke, flow_backed, run_sync
from ...code_utils import UNKNOWN, content_str, extract_code
from ..agent import Agent
from ..printing import colored
from ..user_proxy_agent import UserProxyAgent
from .rag.config import RetrieveConfig
from .rag.context import select_context
from .rag.ingest import ChunkingOptions, prepare_collection
from .rag.prompts import PROMPTS, UPDATE_CONTEXT, build_prompt
from .vectordb.base import QueryResults, VectorDB, to_query_results

__all__ = [
    "HASH_LENGTH",
    "PROMPT_CODE",
    "PROMPT_DEFAULT",
    "PROMPT_MULTIHOP",
    "PROMPT_QA",
    "UPDATE_CONTEXT_IN_PROMPT",
    "RetrieveUserProxyAgent",
]

logger = logging.getLogger(__name__)

# helpers the classic module imported at its top, which 0.2-era code imports (or patches) from here
_CLASSIC_HELPERS = {
    "TEXT_FORMATS": "autogen.retrieve_utils",
    "create_vector_db_from_dir": "autogen.retrieve_utils",
    "get_files_from_dir": "autogen.retrieve_utils",
    "query_vector_db": "autogen.retrieve_utils",
    "split_files_to_chunks": "autogen.retrieve_utils",
    "count_token": "autogen.token_count_utils",
}


def __getattr__(name: str) -> Any:
    module = _CLASSIC_HELPERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


PROMPT_DEFAULT = PROMPTS["default"]
PROMPT_CODE = PROMPTS["code"]
PROMPT_QA = PROMPTS["qa"]
PROMPT_MULTIHOP = """You answer questions that may need several steps of reasoning over the user's documents.
Break the question below into the simpler questions it depends on, answer each from the context that follows (quote
the part of the context you use), then combine those answers into the final one. Give the final answer on the last
line, after "Answer:".
If the context does not hold what a step needs, reply with `UPDATE CONTEXT` alone, and you will be given further
context.

User's question: {input_question}

Context:
{input_context}
"""
"""A prompt for questions needing several hops; use it as ``retrieve_config["customized_prompt"]``."""

UPDATE_CONTEXT_IN_PROMPT = "reply with `UPDATE CONTEXT`"
"""The phrase by which the built-in prompts tell the assistant how to ask for more context."""

HASH_LENGTH = int(os.environ.get("HASH_LENGTH", 8))
"""Classic: the length of the hashes naming documents. Kept for code that reads it; chunk ids here are 32 hex
characters of the chunk's SHA-256 (``vectordb.base.chunk_id``), so that loading the same text is idempotent."""

# The classic guess of a model's context window from its name, for models the token counter does not know.
_CLASSIC_MAX_TOKENS = (("32k", 32000), ("16k", 16000), ("gpt-4", 8000))

DEFAULT_DB_PATH = "tmp/db"  # where the default chromadb store lives (the classic ChromaVectorDB default folder)
CODE_LANGUAGES = ("python", "py", "sh", "bash", "shell")
NO_INSTALL_LANGUAGES = ("bash", "shell", "sh")  # blocks run_code answers with NO_INSTALL_ANSWER, unrun
NO_INSTALL_ANSWER = "You MUST NOT install any packages because all the packages needed are already installed."
WIDER_SEARCHES = (3, 5, 7, 9)  # when the results are used up: search again for n_results times these


def retrieve_reply_flow(
    agent: RetrieveUserProxyAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Answer "UPDATE CONTEXT" with the question and the next chunks; otherwise let the next replies answer."""
    if messages is None:
        messages = agent.chat_messages[sender] if sender is not None else []
    if not messages or not agent.update_context:
        return False, None
    text = content_str(messages[-1].get("content"))
    asks, lacks_prefix = agent._check_update_context(text)
    if not (asks or lacks_prefix):
        return False, None
    agent._notice("Updating context and resetting conversation.")
    if asks:
        doc_contents = yield Invoke(agent._next_context, blocking=True)
    else:  # an intermediate answer (no customized_answer_prefix): search with it, keep what was sent (multi-hop)
        doc_contents = yield Invoke(agent._context_for_intermediate_answer, args=(text,), blocking=True)
    if not doc_contents:
        agent._notice("No more context, will terminate.")
        return True, "TERMINATE"
    if sender is not None:
        agent.clear_history(sender)
        if hasattr(sender, "clear_history"):
            sender.clear_history(agent)
    return True, agent._generate_message(doc_contents, agent._task)


class RetrieveUserProxyAgent(UserProxyAgent):
    """A UserProxyAgent that retrieves context from documents for an assistant (see the module doc).

    Args:
        name: the agent's name.
        human_input_mode: as for UserProxyAgent ("ALWAYS" by default).
        is_termination_msg: default: a reply ends the chat unless it asks to update the context or holds code.
        retrieve_config: the classic dict of settings; see :class:`~autogen.agentchat.contrib.rag.config.RetrieveConfig`
            for the keys (``task``, ``docs_path``, ``collection_name``, ``vector_db``, ``db_config``,
            ``client``, ``chunk_token_size``, ``chunk_mode``, ``embedding_function``, ``customized_prompt``,
            ``update_context``, ``get_or_create``, ``overwrite``, ``n_results``, ...).
        **kwargs: passed to UserProxyAgent (e.g. ``code_execution_config``).
    """

    DEFAULT_VECTOR_DB = "chroma"
    _IGNORED_CONFIG_KEYS: Tuple[str, ...] = ()

    def __init__(
        self,
        name: str = "RetrieveChatAgent",
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "ALWAYS",
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        retrieve_config: Optional[Union[Dict[str, Any], RetrieveConfig]] = None,
        **kwargs: Any,
    ):
        self._retrieve_config: Dict[str, Any] = dict(retrieve_config) if isinstance(retrieve_config, dict) else {}
        self.retrieve_config = RetrieveConfig.from_dict(
            self._prepare_retrieve_config(retrieve_config), ignored=self._IGNORED_CONFIG_KEYS
        )
        super().__init__(
            name=name,
            human_input_mode=human_input_mode,
            is_termination_msg=is_termination_msg or self._is_termination_msg_retrievechat,
            **kwargs,
        )
        if retrieve_config is None or (isinstance(retrieve_config, dict) and "docs_path" not in retrieve_config):
            logger.warning(  # classic's warning
                "docs_path is not provided in retrieve_config. Will raise ValueError if the collection `%s` doesn't "
                "exist. Set docs_path to None to suppress this warning.",
                self.retrieve_config.collection_name,
            )
        self._vector_db_instance: Optional[VectorDB] = None
        self._collection = False  # whether the collection was prepared (documents loaded) by this agent
        self.problem = ""
        self.n_results = self.retrieve_config.n_results
        self._search_string = ""
        self._results: Any = []
        self._doc_ids: List[str] = []
        self._doc_contents: List[str] = []
        self._doc_idx = -1
        self._intermediate_answers: Set[str] = set()  # first sentences of the answers that lacked the prefix
        self._current_docs_in_context: List[str] = []  # the sources of the chunks of the last context (classic name)
        self.register_reply(Agent, type(self)._generate_retrieve_user_reply, position=2)
        self.register_hook("process_message_before_send", self._check_update_context_before_send)

    def _prepare_retrieve_config(self, retrieve_config: Any) -> Any:
        """Hook for subclasses: adjust the raw config before it is checked (the class's store by default)."""
        if retrieve_config is None:
            retrieve_config = {}
        if isinstance(retrieve_config, dict) and "vector_db" not in retrieve_config:
            return {**retrieve_config, "vector_db": self.DEFAULT_VECTOR_DB}
        return retrieve_config

    # ------------------------------------------------------------------- classic attribute names --
    @staticmethod
    def get_max_tokens(model: str = "gpt-3.5-turbo") -> int:
        """The context window of ``model`` in tokens: what the token counter knows of it, else the classic guess
        from its name ("32k": 32000, "16k": 16000, "gpt-4": 8000, others 4000)."""
        from ...token_count_utils import get_max_token_limit

        try:
            return int(get_max_token_limit(model))
        except KeyError:
            return next((tokens for marker, tokens in _CLASSIC_MAX_TOKENS if marker in model), 4000)

    @property
    def custom_token_count_function(self) -> Callable[[str, str], int]:
        """``(text, model) -> tokens`` used to size the context (classic default: ``count_token``)."""
        if self.retrieve_config.custom_token_count_function is not None:
            return self.retrieve_config.custom_token_count_function
        from ...token_count_utils import count_token

        return count_token

    @custom_token_count_function.setter
    def custom_token_count_function(self, function: Optional[Callable[[str, str], int]]) -> None:
        self.retrieve_config.custom_token_count_function = function

    @property
    def custom_text_split_function(self) -> Optional[Callable[[str], List[str]]]:
        """``text -> chunks`` used instead of the built-in splitter (None: the built-in one)."""
        return self.retrieve_config.custom_text_split_function

    @custom_text_split_function.setter
    def custom_text_split_function(self, function: Optional[Callable[[str], List[str]]]) -> None:
        self.retrieve_config.custom_text_split_function = function

    @property
    def _task(self) -> str:
        return self.retrieve_config.task

    @property
    def customized_prompt(self) -> Optional[str]:
        return self.retrieve_config.customized_prompt

    @property
    def customized_answer_prefix(self) -> str:
        return self.retrieve_config.customized_answer_prefix

    @property
    def update_context(self) -> bool:
        return self.retrieve_config.update_context

    @update_context.setter
    def update_context(self, value: bool) -> None:
        self.retrieve_config.update_context = value

    @property
    def _collection_name(self) -> str:
        return self.retrieve_config.collection_name

    @property
    def _context_max_tokens(self) -> int:
        return self.retrieve_config.context_max_tokens  # type: ignore[return-value]

    # ------------------------------------------------------------------------------ vector store --
    @property
    def _vector_db(self) -> VectorDB:
        """The vector store (created on first use from ``vector_db``, ``client`` and ``db_config``)."""
        if self._vector_db_instance is None:
            self._vector_db_instance = self._create_vector_db()
        return self._vector_db_instance

    def _create_vector_db(self) -> VectorDB:
        cfg = self.retrieve_config
        if not isinstance(cfg.vector_db, str):
            return cfg.vector_db  # type: ignore[no-any-return]
        from .vectordb import create_vector_db

        kwargs: Dict[str, Any] = {
            "embedding_function": cfg.embedding_function,
            "embedding_model": cfg.embedding_model,
            **cfg.db_config,
        }
        if cfg.client is not None:  # PGVectorDB takes its client (a psycopg connection) as the classic ``conn``
            kwargs["conn" if cfg.vector_db.lower() in ("pgvector", "pgvectordb") else "client"] = cfg.client
        elif cfg.vector_db in ("chroma", "chromadb"):
            kwargs.setdefault("path", DEFAULT_DB_PATH)
        return create_vector_db(cfg.vector_db, **kwargs)

    def _init_db(self) -> None:
        """Create the collection and load the documents into it, once per agent."""
        if self._collection:
            return
        cfg = self.retrieve_config
        options = ChunkingOptions(
            max_tokens=cfg.chunk_token_size,  # type: ignore[arg-type]
            chunk_mode=cfg.chunk_mode,
            must_break_at_empty_line=cfg.must_break_at_empty_line,
            custom_text_split_function=cfg.custom_text_split_function,
            custom_text_types=tuple(cfg.custom_text_types),
            recursive=cfg.recursive,
        )
        added = prepare_collection(
            self._vector_db,
            cfg.collection_name,
            cfg.docs_path,
            get_or_create=cfg.get_or_create,
            overwrite=cfg.overwrite,
            options=options,
            warn=lambda text: self._notice(text, "yellow"),
        )
        if added:
            logger.info("Added %d chunks to the collection %r.", added, cfg.collection_name)  # classic: logged
        self._collection = True

    # --------------------------------------------------------------------------------- retrieval --
    def retrieve_docs(self, problem: str, n_results: int = 20, search_string: str = "") -> None:
        """Retrieve the ``n_results`` chunks closest to ``problem`` (containing ``search_string`` if given)
        into ``self._results``. Subclasses may override this to retrieve from elsewhere; they set
        ``self._results`` to QueryResults or to a chromadb-style dict."""
        if not self._collection and self.retrieve_config.docs_path is not None:
            self._iostream().print("Trying to create collection.", flush=True)  # the classic line
        self._init_db()
        cfg = self.retrieve_config
        self._results = self._vector_db.retrieve_docs(
            [problem],
            cfg.collection_name,
            n_results=n_results,
            distance_threshold=cfg.distance_threshold,
            search_string=search_string,
        )
        self._search_string = search_string
        ids = [[str(doc["id"]) for doc, _ in row] for row in to_query_results(self._results)]
        self._iostream().print("VectorDB returns doc_ids: ", ids, flush=True)  # the classic line

    def _reset(self, intermediate: bool = False) -> None:
        """Forget the results (and, unless ``intermediate``, which chunks were already sent)."""
        self._doc_idx = -1
        self._results = []
        if not intermediate:
            self._intermediate_answers = set()
            self._doc_ids = []
            self._doc_contents = []

    def _get_context(self, results: Any) -> str:
        """The next chunks of ``results`` that were not sent yet, within the context budget."""
        ranked: QueryResults = to_query_results(results)
        row = ranked[0] if ranked else []
        selection = select_context(
            row, set(self._doc_ids), self._context_max_tokens, self.retrieve_config.count_tokens, self.n_results
        )
        self._current_docs_in_context = [str((doc.get("metadata") or {}).get("source", "")) for doc in selection.docs]
        too_long = {str(doc["id"]) for doc in selection.too_long}
        chosen = {str(doc["id"]) for doc in selection.docs}
        for doc, _distance in row:  # announced in the order of the ranking, as classic did
            doc_id = str(doc["id"])
            if doc_id in too_long:
                too_long.discard(doc_id)
                self._notice(f"Skip doc_id {doc_id} as it is too long to fit in the context.")
            elif doc_id in chosen:
                chosen.discard(doc_id)
                self._notice(f"Adding content of doc {doc_id} to context.")
                self._doc_contents.append(doc["content"])
            else:
                continue
            self._doc_ids.append(doc_id)
        if selection.docs:
            ids = [d["id"] for d, _ in row]
            self._doc_idx = max(ids.index(d["id"]) for d in selection.docs)
        return selection.text

    def _next_context(self) -> str:
        """More context for the current question: the unsent chunks of the last results, else a wider search."""
        doc_contents = self._get_context(self._results)
        if doc_contents:
            return doc_contents
        for factor in WIDER_SEARCHES:
            wanted = self.n_results * factor
            self._reset(intermediate=True)
            self.retrieve_docs(self.problem, wanted, self._search_string)
            doc_contents = self._get_context(self._results)
            found = to_query_results(self._results)
            if doc_contents or not found or len(found[0]) < wanted:  # found something, or the store is used up
                break
        return doc_contents

    def _context_for_intermediate_answer(self, answer: str) -> str:
        """Classic's multi-hop step: retrieve with the first sentence of ``answer`` and send every chunk so far."""
        first_line = answer.split("\n")[0].strip()
        intermediate = re.split(r"(?<=[.!?])\s+", first_line)[0]
        self._intermediate_answers.add(intermediate)
        doc_contents = ""
        for factor in (1, *WIDER_SEARCHES):
            wanted = self.n_results * factor
            self._reset(intermediate=True)
            self.retrieve_docs(intermediate, wanted, self._search_string)
            self._get_context(self._results)
            doc_contents = "\n".join(self._doc_contents)
            found = to_query_results(self._results)
            if doc_contents or not found or len(found[0]) < wanted:
                break
        return doc_contents

    def _generate_message(self, doc_contents: str, task: str = "default") -> str:
        if not doc_contents:
            self._notice("No more context, will terminate.")
            return "TERMINATE"
        return build_prompt(
            task, self.problem, doc_contents, self.customized_prompt or "", self._current_docs_in_context
        )

    def _check_update_context(self, message: Any) -> Tuple[bool, bool]:
        """``(asks for more context, lacks the answer prefix)``: either means "update the context"."""
        text = content_str(message.get("content") if isinstance(message, dict) else message)
        upper = text.upper()
        asks = UPDATE_CONTEXT in upper[-20:] or UPDATE_CONTEXT in upper[:20]
        prefix = self.customized_answer_prefix
        lacks_prefix = bool(prefix) and prefix not in upper
        return asks, lacks_prefix

    def _check_update_context_before_send(self, sender: Agent, message: Any, recipient: Agent, silent: bool) -> Any:
        """A message of this agent that is exactly "UPDATE CONTEXT" (a human typed it) is sent as the question with
        the next chunks, as classic did. The retrieval runs in the hook (hooks are plain functions)."""
        text = message.get("content") if isinstance(message, dict) else message
        if not isinstance(text, str) or text.strip().upper() != UPDATE_CONTEXT or not self.problem:
            return message
        new_text = self._generate_message(self._next_context(), self._task)
        return {**message, "content": new_text} if isinstance(message, dict) else new_text

    def _is_termination_msg_retrievechat(self, message: Any) -> bool:
        """A reply ends the chat unless it holds code to run or asks for more context."""
        content = message.get("content") if isinstance(message, dict) else message
        if content is None:
            return False
        text = content_str(content)
        for lang, _code in extract_code(text):
            if lang != UNKNOWN and lang.lower() in CODE_LANGUAGES:
                return False
        return not any(self._check_update_context(text))

    def run_code(self, code: str, **kwargs: Any) -> Tuple[int, str, Optional[str]]:
        """Run a code block of the assistant, refusing (as classic did) to install packages: shell blocks and
        code starting with ``!`` or ``pip`` get the answer :data:`NO_INSTALL_ANSWER` (exit code 0), unrun."""
        lang = kwargs.get("lang")
        if code.startswith(("!", "pip")) or lang in NO_INSTALL_LANGUAGES:
            return 0, NO_INSTALL_ANSWER, None
        return super().run_code(code, **kwargs)

    def _notice(self, text: str, color: str = "green") -> None:
        self._iostream().print(colored(text, color), flush=True)

    # -------------------------------------------------------------------------- reply & messages --
    @flow_backed(retrieve_reply_flow)
    def _generate_retrieve_user_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Any]:
        """The reply to "UPDATE CONTEXT" (see :func:`retrieve_reply_flow`)."""
        return run_sync(retrieve_reply_flow(self, messages, sender, config))

    @staticmethod
    def message_generator(sender: RetrieveUserProxyAgent, recipient: Agent, context: Dict[str, Any]) -> str:
        """The first message of a chat: retrieve for ``context["problem"]`` and build the prompt.

        ``context`` keys: ``problem`` (the question), ``n_results`` (default: retrieve_config's, 20),
        ``search_string`` (only chunks containing it).
        """
        sender._reset(intermediate=False)
        problem = str(context.get("problem", ""))
        n_results = int(context.get("n_results") or sender.retrieve_config.n_results)
        search_string = str(context.get("search_string") or "")
        sender.problem = problem
        sender.n_results = n_results
        sender.retrieve_docs(problem, n_results, search_string)
        doc_contents = sender._get_context(sender._results)
        return sender._generate_message(doc_contents, sender._task)
