"""Teachability: an agent remembers what users teach it, across conversations and restarts.

``Teachability(...).add_to_agent(agent)`` hooks ``process_last_received_message``. For every message the
agent receives, an analyzer LLM (a :class:`~autogen.agentchat.contrib.text_analyzer_agent.TextAnalyzerAgent`)
decides:

* what to **recall**: memos close to the message (and, for a task, to its general form) are appended to the
  message the agent's LLM sees, under a heading;
* what to **store**: a fact or preference is stored under the question that would ask for it; advice that
  comes with a task is stored under the general form of the task.

Memos live in a chromadb collection in ``path_to_db_dir`` (see :class:`~.memo_store.MemoStore`), so a new
agent with the same folder recalls them. Needs ``pip install "pyautogen[teachable]"``.

The hook runs synchronously (hooks are plain functions): its LLM calls block, also in async chats.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ....exception_utils import ConfigAssertionError
from ...printing import colored, say
from ..rag.errors import ConfigError
from ..text_analyzer_agent import TextAnalyzerAgent
from .agent_capability import AgentCapability
from .memo_store import Memo, MemoStore

__all__ = ["Teachability"]

# Instructions for the analyzer. Yes/no questions are answered by the first word of its reply.
IS_TASK = (
    "Does any part of the TEXT ask the AI assistant to carry out a task or to solve a problem? "
    "Answer with one word: yes or no."
)
HAS_ADVICE = (
    "Does the TEXT give advice (tips, steps, rules, corrections) that would help an AI assistant with similar "
    "tasks in future? Answer with one word: yes or no."
)
EXTRACT_ADVICE = (
    "Copy the advice from the TEXT that would help with similar tasks in future. Leave out what concerns this "
    "particular task only. Reply with the advice alone."
)
EXTRACT_TASK = "Restate briefly the task the TEXT asks for, leaving out any advice or help that comes with it."
GENERALIZE_TASK = (
    "Describe the task in the TEXT in general terms, so that the description also covers similar tasks. "
    "Reply with that description alone."
)
HAS_INFORMATION = (
    "Does the TEXT hold information about the user or the world (a fact, a preference, a definition, a "
    "relation) that is worth remembering for later conversations? Answer with one word: yes or no."
)
QUESTION_FOR_INFORMATION = (
    "Suppose the user has forgotten the information in the TEXT. What question would they ask to get it "
    "back? Reply with that question alone."
)
EXTRACT_INFORMATION = "Copy the information from the TEXT that is worth remembering. Reply with it alone."

MEMORIES_HEADING = "\n\n# Notes from earlier conversations that may help\n"
SYSTEM_MESSAGE_NOTE = (
    "\nYou can remember what users taught you in earlier conversations: notes recalled from them may be added "
    "to the user's messages."
)


def _is_yes(answer: str) -> bool:
    words = answer.strip().split()
    return bool(words) and words[0].strip(".,:;!\"'*`").lower() == "yes"


class Teachability(AgentCapability):
    """Lets an agent learn facts, preferences and advice from users, and recall them later.

    Args:
        verbosity: 0 quiet; 1 memo operations; 2 also the analyzer's exchanges; 3 also the memos at start.
        reset_db: forget every memo stored in ``path_to_db_dir`` before starting.
        path_to_db_dir: the folder of the memo database.
        recall_threshold: the largest distance (see ``memo_store``) at which a memo is recalled.
        max_num_retrievals: at most this many memos are recalled per cue.
        llm_config: the analyzer's LLM; default: the agent's.
    """

    def __init__(
        self,
        verbosity: Optional[int] = 0,
        reset_db: Optional[bool] = False,
        path_to_db_dir: Optional[str] = "./tmp/teachable_agent_db",
        recall_threshold: Optional[float] = 1.5,
        max_num_retrievals: Optional[int] = 10,
        llm_config: Optional[Any] = None,
    ):
        super().__init__()
        self.verbosity = int(verbosity or 0)
        self.path_to_db_dir = path_to_db_dir or "./tmp/teachable_agent_db"
        self.recall_threshold = 1.5 if recall_threshold is None else float(recall_threshold)
        self.max_num_retrievals = 10 if max_num_retrievals is None else int(max_num_retrievals)
        self.llm_config = llm_config
        self.teachable_agent: Any = None
        self.analyzer: Optional[TextAnalyzerAgent] = None
        # a plain function: the memo store holds it, and must not keep the capability alive
        self.memo_store = MemoStore(self.verbosity, bool(reset_db), self.path_to_db_dir, printer=say)

    # ------------------------------------------------------------------------------------ set up --
    def add_to_agent(self, agent: Any) -> None:
        """Teach ``agent`` to learn: hook its incoming messages and tell its LLM about the recalled notes."""
        llm_config = self.llm_config if self.llm_config is not None else getattr(agent, "llm_config", None)
        if not llm_config:
            raise ConfigAssertionError(  # classic asserted it: an AssertionError (and our ConfigError)
                "Teachability requires a valid llm_config. It needs an LLM to analyze messages: give the agent an "
                "llm_config, or pass llm_config to Teachability."
            )
        self.llm_config = llm_config
        analyzer_config: Dict[str, Any] = {k: v for k, v in llm_config.items() if k not in ("tools", "functions")}
        self.analyzer = TextAnalyzerAgent(llm_config=analyzer_config)
        self.teachable_agent = agent
        agent.register_hook("process_last_received_message", self.process_last_received_message)
        agent.update_system_message(agent.system_message + SYSTEM_MESSAGE_NOTE)

    def prepopulate_db(self) -> None:
        """Store the example memos of :meth:`MemoStore.prepopulate` (classic), so that retrieval in a fresh store
        has neighbours to rank against."""
        self.memo_store.prepopulate()

    # --------------------------------------------------------------------------------- the hook --
    def process_last_received_message(self, text: Any) -> Any:
        """Recall memos relevant to ``text`` (appended to what the LLM sees) and store what it teaches."""
        if not isinstance(text, str) or not text.strip():
            return text
        is_task = _is_yes(self._analyze(text, IS_TASK))
        expanded = text
        if len(self.memo_store) > 0:
            expanded = self._consider_memo_retrieval(text, is_task)
        self._consider_memo_storage(text, is_task)
        return expanded

    def _consider_memo_storage(self, comment: str, is_task: bool) -> None:
        """Store the advice given with a task, and the information worth remembering."""
        if is_task and _is_yes(self._analyze(comment, HAS_ADVICE)):
            advice = self._analyze(comment, EXTRACT_ADVICE)
            task = self._analyze(comment, EXTRACT_TASK)
            general_task = self._analyze(task, GENERALIZE_TASK)
            if advice and general_task:
                self._note("\nREMEMBER THIS TASK-ADVICE PAIR")
                self.memo_store.add_input_output_pair(general_task, advice)
        if _is_yes(self._analyze(comment, HAS_INFORMATION)):
            question = self._analyze(comment, QUESTION_FOR_INFORMATION)
            answer = self._analyze(comment, EXTRACT_INFORMATION)
            if question and answer:
                self._note("\nREMEMBER THIS QUESTION-ANSWER PAIR")
                self.memo_store.add_input_output_pair(question, answer)

    def _consider_memo_retrieval(self, comment: str, is_task: bool) -> str:
        """``comment`` followed by the memos relevant to it (and to its task, in general form)."""
        self._note("\nLOOK FOR RELEVANT MEMOS, AS QUESTION-ANSWER PAIRS")
        memos = self._retrieve_relevant_memos(comment)
        if is_task:
            self._note("\nLOOK FOR RELEVANT MEMOS, AS TASK-ADVICE PAIRS")
            task = self._analyze(comment, EXTRACT_TASK)
            general_task = self._analyze(task, GENERALIZE_TASK)
            memos.extend(self._retrieve_relevant_memos(general_task))
        outputs = list(dict.fromkeys(output for _input, output, _distance in memos if output))
        memo_texts = self._concatenate_memo_texts(outputs)
        if memo_texts:
            self._note("\nMEMOS APPENDED TO LAST MESSAGE..." + memo_texts + "\n")
        return comment + memo_texts

    def _retrieve_relevant_memos(self, cue: str) -> List[Memo]:
        memos = self.memo_store.get_related_memos(cue, self.max_num_retrievals, self.recall_threshold)
        if self.verbosity >= 1 and not memos:
            self._note("\nTHE CLOSEST MEMO IS BEYOND THE THRESHOLD:")
            self.memo_store.get_nearest_memo(cue)  # printed by the store at verbosity >= 1
            say("")
        return memos

    def _note(self, text: str) -> None:
        """A memory operation, printed when verbosity >= 1 (the classic lines)."""
        if self.verbosity >= 1:
            say(colored(text, "light_yellow"))

    @staticmethod
    def _concatenate_memo_texts(outputs: List[str]) -> str:
        if not outputs:
            return ""
        return MEMORIES_HEADING + "".join(f"- {output}\n" for output in outputs)

    def _analyze(self, text_to_analyze: str, analysis_instructions: str) -> str:
        """The analyzer's answer (printed when verbosity >= 2)."""
        if self.analyzer is None:
            raise ConfigError("Teachability.add_to_agent(agent) must be called before the capability is used.")
        answer = self.analyzer.analyze_text(text_to_analyze, analysis_instructions)
        if self.verbosity >= 2:
            say(colored(f"\nANALYZER\n  TEXT: {text_to_analyze}\n  INSTRUCTIONS: {analysis_instructions}", "cyan"))
            say(colored(f"  ANSWER: {answer}", "cyan"))
        return answer
