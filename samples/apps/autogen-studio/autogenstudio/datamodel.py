"""Pydantic models: what the API accepts and what a runnable workflow looks like.

Two layers:

* the *stored* entities (``SkillIn``, ``ModelIn``, ``AgentIn``, ``WorkflowIn``), where agents refer to models and
  skills by id and workflows refer to agents by id; this is what the web API creates and edits;
* the *runnable* configuration (``WorkFlowConfig`` and the ``AgentConfig`` / ``ModelConfig`` / ``SkillConfig`` it
  embeds), self-contained JSON that :class:`autogenstudio.AutoGenWorkFlowManager` turns into autogen agents.
"""

from __future__ import annotations

import ast
import re
from typing import Annotated, Any, Dict, List, Literal, Optional, Tuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .workflowgraph import graph_problems

HumanInputMode = Literal["NEVER", "TERMINATE", "ALWAYS"]
AgentType = Literal["assistant", "userproxy"]
WorkflowType = Literal["twoagents", "groupchat"]
SpeakerSelection = Literal["auto", "round_robin", "random", "manual"]

MAX_ID = 2**63 - 1  # SQL integer keys are signed 64-bit: a larger id is bad input, not a server error
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"  # public ids of sessions and gallery items: random, unguessable

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")


def check_skill_code(content: str) -> List[str]:
    """Syntax-check a skill's source; return the names of the top-level functions it defines.

    Raises ``ValueError`` with a message naming the line when the code does not parse or defines no function.
    """
    try:
        tree = ast.parse(content)
    except SyntaxError as exc:
        raise ValueError(f"skill code has a syntax error at line {exc.lineno}: {exc.msg}") from None
    names = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not names:
        raise ValueError("skill code must define at least one top-level function")
    return names


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ------------------------------------------------------------------------------------------ stored entities --
class SkillIn(_Strict):
    name: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=2000)
    content: str = Field(min_length=1, max_length=200_000)

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not value.isidentifier():
            raise ValueError("a skill name must be a Python identifier (letters, digits, underscores)")
        return value

    @field_validator("content")
    @classmethod
    def _parses(cls, value: str) -> str:
        check_skill_code(value)
        return value


class ModelIn(_Strict):
    model: str = Field(min_length=1, max_length=200)
    api_key: Optional[str] = Field(default=None, max_length=500)
    base_url: Optional[str] = Field(default=None, max_length=500)
    api_type: Literal["openai", "azure"] = "openai"
    api_version: Optional[str] = Field(default=None, max_length=50)
    description: str = Field(default="", max_length=2000)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: Optional[str]) -> Optional[str]:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value or None


class AgentIn(_Strict):
    name: str = Field(min_length=1, max_length=64)
    type: AgentType = "assistant"
    description: str = Field(default="", max_length=2000)
    system_message: str = Field(default="", max_length=50_000)
    human_input_mode: HumanInputMode = "NEVER"
    max_consecutive_auto_reply: int = Field(default=10, ge=0, le=100)
    code_execution: bool = False
    model_ids: List[DbId] = Field(default_factory=list, max_length=100)
    skill_ids: List[DbId] = Field(default_factory=list, max_length=100)

    @field_validator("name")
    @classmethod
    def _agent_name(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError("an agent name must start with a letter or _ and use letters, digits, _ or -")
        return value


class WorkflowIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    type: WorkflowType = "twoagents"
    sender_id: DbId
    receiver_id: Optional[DbId] = None
    agent_ids: List[DbId] = Field(default_factory=list, max_length=100)
    # group chats: the allowed speaker transitions, (from agent id, to agent id); none means anyone may follow anyone
    transitions: List[Tuple[DbId, DbId]] = Field(default_factory=list, max_length=2000)
    speaker_selection_method: SpeakerSelection = "auto"
    max_round: int = Field(default=10, ge=1, le=100)
    summary_method: Literal["last_msg", "reflection_with_llm"] = "last_msg"

    @model_validator(mode="after")
    def _shape(self) -> WorkflowIn:
        if self.type == "twoagents" and self.receiver_id is None:
            raise ValueError("a two-agent workflow needs a receiver_id")
        if self.type == "groupchat" and len(self.agent_ids) < 2:
            raise ValueError("a group chat workflow needs at least two agent_ids")
        problems = graph_problems(self.agent_ids, self.transitions)
        if problems:
            raise ValueError(
                "the speaker transitions are not usable: " + "; ".join(str(p["message"]) for p in problems)
            )
        return self


class GraphIn(_Strict):
    agent_ids: List[DbId] = Field(default_factory=list, max_length=100)
    transitions: List[Tuple[DbId, DbId]] = Field(default_factory=list, max_length=2000)


class SessionIn(_Strict):
    workflow_id: DbId
    name: str = Field(default="", max_length=200)


class MessageIn(_Strict):
    content: str = Field(min_length=1, max_length=100_000)
    # how long an agent that asks for human input waits for the answer in the page, in seconds
    input_timeout: float = Field(default=300, gt=0, le=86_400)


class InputAnswer(_Strict):
    request_id: str = Field(min_length=1, max_length=64)
    content: str = Field(default="", max_length=100_000)


class PublishIn(_Strict):
    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    title: str = Field(default="", max_length=200)


# ------------------------------------------------------------------------------------- runnable workflow --
class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str
    api_key: Optional[str] = None
    base_url: Optional[str] = None
    api_type: str = "openai"
    api_version: Optional[str] = None

    def to_autogen(self) -> Dict[str, Any]:
        entry: Dict[str, Any] = {"model": self.model}
        for key in ("api_key", "base_url", "api_version"):
            value = getattr(self, key)
            if value:
                entry[key] = value
        if self.api_type != "openai":
            entry["api_type"] = self.api_type
        elif not self.api_key and not self.base_url:
            # no stored key, the provider's own endpoint: the openai SDK takes OPENAI_API_KEY (and OPENAI_BASE_URL)
            # from Studio's environment; the key never enters the database, nor goes to a base_url a model names
            return entry
        entry.setdefault("api_key", "not-set")
        return entry


class SkillConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    description: str = ""
    content: str


class LLMConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")
    config_list: List[ModelConfig] = Field(default_factory=list)
    temperature: float = 0.0
    cache_seed: Optional[int] = None
    timeout: int = 120


class AgentConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    type: AgentType = "assistant"
    description: str = ""
    system_message: str = ""
    human_input_mode: HumanInputMode = "NEVER"
    max_consecutive_auto_reply: int = 10
    code_execution: bool = False
    llm_config: Optional[LLMConfig] = None
    skills: List[SkillConfig] = Field(default_factory=list)


class GroupChatConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")
    agents: List[AgentConfig]
    speaker_selection_method: SpeakerSelection = "auto"
    max_round: int = 10
    manager_llm_config: Optional[LLMConfig] = None
    # allowed speaker transitions by agent name, ``{from: [to, ...]}``; empty: anyone may follow anyone
    allowed_transitions: Dict[str, List[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _graph(self) -> GroupChatConfig:
        edges = [(a, b) for a, targets in self.allowed_transitions.items() for b in targets]
        problems = graph_problems([a.name for a in self.agents], edges)
        if problems:
            raise ValueError(
                "the speaker transitions are not usable: " + "; ".join(str(p["message"]) for p in problems)
            )
        return self


class WorkFlowConfig(BaseModel):
    """A self-contained workflow: ``AutoGenWorkFlowManager(WorkFlowConfig(...)).run(message=...)``."""

    model_config = ConfigDict(extra="ignore")
    name: str = "workflow"
    description: str = ""
    type: WorkflowType = "twoagents"
    sender: AgentConfig
    receiver: Optional[AgentConfig] = None
    groupchat: Optional[GroupChatConfig] = None
    summary_method: str = "last_msg"

    @model_validator(mode="after")
    def _shape(self) -> WorkFlowConfig:
        if self.type == "twoagents" and self.receiver is None:
            raise ValueError("a two-agent workflow needs a receiver")
        if self.type == "groupchat" and (self.groupchat is None or len(self.groupchat.agents) < 2):
            raise ValueError("a group chat workflow needs a groupchat with at least two agents")
        return self
