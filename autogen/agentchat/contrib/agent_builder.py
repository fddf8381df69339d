"""AutoBuild: a builder model assembles a team of expert agents for a task.

::

    builder = AgentBuilder(config_file_or_env="OAI_CONFIG_LIST", builder_model="gpt-4", agent_model="gpt-4")
    agents, configs = builder.build("Find a recent paper on GPT-4 and its use in software.", {"temperature": 0})
    manager = GroupChatManager(GroupChat(agents, messages=[], max_round=12), llm_config=...)
    agents[0].initiate_chat(manager, message="...")
    path = builder.save()                     # save_config_<md5 of the task>.json
    agents, configs = AgentBuilder().load(path)   # the same team, without asking the builder model

How a team is built: the builder model proposes the experts (names and roles as JSON, or the classic list of
names separated by commas), then writes each one's system message and description, then, unless ``coding``
is given, says whether the task needs code to be run; when it does, a user proxy named ``Computer_terminal``
that runs code is put first in the list.
``build_from_library`` picks the experts from a JSON library of profiles instead, either by asking the
builder model or by embedding similarity between the task and the profiles.

Model configs come from ``config_list_from_json(config_file_or_env, config_file_location, filter_dict=
{"model": [...]})``: the builder's calls use the configs of ``builder_model``, each agent those of its
model (``agent_model`` by default). Answers that cannot be used (not JSON, no expert, unclear yes/no) are
asked again with feedback, ``max_retries`` times; answers that can be repaired (names that are not valid
agent names, the same expert twice, more experts than ``max_agents``) are repaired with a warning.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

from ...exception_utils import AutoGenError
from ..printing import colored, say
from .autobuild import prompts
from .autobuild.answers import (
    Role,
    ask_until_valid,
    clean_name,
    parse_agent_choice,
    parse_library_choice,
    parse_roles,
    parse_text,
    parse_yes_no,
)
from .model_answers import AnswerError

if TYPE_CHECKING:
    from ..conversable_agent import ConversableAgent
    from ..user_proxy_agent import UserProxyAgent

__all__ = ["AgentBuilder", "AgentBuilderError"]

logger = logging.getLogger(__name__)

ModelSpec = Union[str, List[str], None]

# the code-running proxy's config when build() is given none; Docker or not is decided as for any agent
_DEFAULT_CODE_EXECUTION_CONFIG: Dict[str, Any] = {"last_n_messages": 1, "work_dir": "groupchat", "timeout": 60}


class AgentBuilderError(AutoGenError, ValueError):
    """The builder model's answers could not be used, or a saved team cannot be loaded."""


def _check_functions(functions: Optional[List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    """``list_of_functions`` checked: each a dict with a "name", a "description" and a callable "function"."""
    checked = []
    for i, item in enumerate(functions or []):
        if not isinstance(item, dict) or not callable(item.get("function")) or not item.get("name"):
            raise AgentBuilderError(
                f"list_of_functions[{i}] must be a dict with 'name', 'description' and a callable 'function', "
                f"got {item!r:.120}."
            )
        checked.append({**item, "description": item.get("description") or item["function"].__doc__ or item["name"]})
    return checked


def _as_list(spec: ModelSpec) -> List[str]:
    if spec is None:
        return []
    return [spec] if isinstance(spec, str) else list(spec)


class AgentBuilder:
    """Build a team of agents for a task with a builder model (see the module documentation).

    Args:
        config_file_or_env: the environment variable holding the config list (JSON or a file path), or the
            name of the config-list file.
        config_file_location: the folder of that file.
        builder_model: the model(s) of the builder's calls (filters the config list; None or empty, the classic
            default: every config of the list).
        agent_model: the model(s) of the agents built (saved with each agent; empty: no filter).
        builder_model_tags, agent_model_tags: also filter the config list by these tags.
        max_agents: the most experts in a team.
        host, endpoint_building_timeout: kept for compatibility; agents use the endpoints of the config list
            (serve an open model behind an OpenAI-compatible server and list it there).
        max_tokens: the most tokens per builder answer (None: the model's limit).
        max_retries: how many times an unusable answer is asked again.
    """

    online_server_name = "online"
    ROLES_PROMPT = prompts.ROLES_PROMPT
    SYSTEM_MESSAGE_PROMPT = prompts.SYSTEM_MESSAGE_PROMPT
    DESCRIPTION_PROMPT = prompts.DESCRIPTION_PROMPT
    CODING_PROMPT = prompts.CODING_PROMPT
    LIBRARY_SELECTION_PROMPT = prompts.LIBRARY_SELECTION_PROMPT
    TEAM_INSTRUCTIONS = prompts.TEAM_INSTRUCTIONS
    TERMINAL_NOTE = prompts.TERMINAL_NOTE
    TERMINAL_DESCRIPTION = prompts.TERMINAL_DESCRIPTION
    DEFAULT_PROXY_AUTO_REPLY = prompts.DEFAULT_PROXY_AUTO_REPLY
    # the classic names of the prompts; a template assigned to one of them (on the class or an instance) is used
    # instead, formatted with its classic placeholders. The builder accepts the classic answer formats too
    # (expert names separated by commas).
    AGENT_NAME_PROMPT = prompts.ROLES_PROMPT  # {task}, {max_agents}
    AGENT_SYS_MSG_PROMPT = prompts.SYSTEM_MESSAGE_PROMPT  # {task}, {position}, {default_sys_msg}
    AGENT_DESCRIPTION_PROMPT = prompts.DESCRIPTION_PROMPT  # {position}, {sys_msg}
    AGENT_SEARCHING_PROMPT = prompts.LIBRARY_SELECTION_PROMPT  # {task}, {agent_list}, {max_agents}
    GROUP_CHAT_DESCRIPTION = prompts.TEAM_INSTRUCTIONS  # {name}, {members}, {user_proxy_desc}
    CODING_AND_TASK_SKILL_INSTRUCTION = prompts.TERMINAL_NOTE
    DEFAULT_DESCRIPTION = prompts.DEFAULT_SYSTEM_MESSAGE_TEMPLATE
    AGENT_FUNCTION_MAP_PROMPT = prompts.FUNCTION_ASSIGNMENT_PROMPT
    UPDATED_AGENT_SYSTEM_MESSAGE = prompts.FUNCTION_NOTE
    USER_PROXY_NAME = "Computer_terminal"
    DEFAULT_MANAGER_SYSTEM_MESSAGE = "Group chat manager."

    def __init__(
        self,
        config_file_or_env: Optional[str] = "OAI_CONFIG_LIST",
        config_file_location: Optional[str] = "",
        builder_model: ModelSpec = None,
        agent_model: ModelSpec = None,
        builder_model_tags: Optional[List[str]] = None,
        agent_model_tags: Optional[List[str]] = None,
        max_agents: Optional[int] = 5,
        host: str = "localhost",
        endpoint_building_timeout: Optional[int] = 600,
        max_tokens: Optional[int] = None,
        max_retries: int = 2,
    ):
        self.config_file_or_env = config_file_or_env or "OAI_CONFIG_LIST"
        self.config_file_location = config_file_location or ""
        self.builder_model = builder_model
        self.agent_model = agent_model
        self.builder_model_tags = list(builder_model_tags or [])
        self.agent_model_tags = list(agent_model_tags or [])
        self.host = host
        self.endpoint_building_timeout = endpoint_building_timeout
        self.max_tokens = max_tokens
        self.max_agents = max_agents or 5
        self.max_retries = max(0, max_retries)
        self.building_task: Optional[str] = None
        self.cached_configs: Dict[str, Any] = {}
        self.agents: Dict[str, ConversableAgent] = {}
        self._builder_client: Any = None

    # ----------------------------------------------------------------------------------------- models --
    def set_builder_model(self, model: ModelSpec) -> None:
        self.builder_model = model
        self._builder_client = None

    def set_agent_model(self, model: ModelSpec) -> None:
        self.agent_model = model

    def _config_list(self, models: ModelSpec, tags: Optional[List[str]], what: str) -> List[Dict[str, Any]]:
        from ...oai.openai_utils import config_list_from_json

        filter_dict: Dict[str, Any] = {}
        if _as_list(models):
            filter_dict["model"] = _as_list(models)
        if tags:
            filter_dict["tags"] = list(tags)
        config_list = config_list_from_json(
            self.config_file_or_env, file_location=self.config_file_location, filter_dict=filter_dict or None
        )
        if not config_list:
            everything = config_list_from_json(self.config_file_or_env, file_location=self.config_file_location)
            available = sorted({str(c.get("model")) for c in everything})
            raise AgentBuilderError(
                f"No config for the {what} (filter {filter_dict}) in {self.config_file_or_env}; the models "
                f"there are {available}. Name one of them (builder_model= / agent_model=), or add a config for "
                "the model: an open model must be served behind an OpenAI-compatible endpoint listed there."
            )
        return config_list

    def _complete(self, messages: List[Dict[str, Any]]) -> str:
        if self._builder_client is None:
            from ...oai.client import OpenAIWrapper

            config_list = self._config_list(self.builder_model, self.builder_model_tags, "builder model")
            self._builder_client = OpenAIWrapper(config_list=config_list)
        params: Dict[str, Any] = {"messages": messages}
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        response = self._builder_client.create(**params)
        answer = self._builder_client.extract_text_or_completion_object(response)[0]
        return answer if isinstance(answer, str) else (getattr(answer, "content", None) or "")

    def _template(self, classic: str, current: str) -> str:
        """The prompt template: the classic attribute when it was given another value, else the current one."""
        value: str = getattr(self, classic)
        return value if value is not getattr(AgentBuilder, classic) else getattr(self, current)

    def _ask(self, prompt: str, parse: Callable[[str], Any], what: str) -> Any:
        attempts = self.max_retries + 1
        try:
            return ask_until_valid(self._complete, prompt, parse, attempts)
        except AnswerError as error:
            last = str(getattr(error, "answer", ""))[:300]
            raise AgentBuilderError(
                f"The builder model gave no usable {what} in {attempts} attempt(s): {error.problem} "
                f"Its last answer was: {last!r}. Try again, use a stronger builder_model, or raise max_retries."
            ) from error

    # ---------------------------------------------------------------------------------------- building --
    def build(
        self,
        building_task: str,
        default_llm_config: Dict[str, Any],
        coding: Optional[bool] = None,
        code_execution_config: Optional[Dict[str, Any]] = None,
        use_oai_assistant: bool = False,
        user_proxy: Optional[ConversableAgent] = None,
        max_agents: Optional[int] = None,
        list_of_functions: Optional[List[Dict[str, Any]]] = None,
        **kwargs: Any,
    ) -> Tuple[List[ConversableAgent], Dict[str, Any]]:
        """Build a team for ``building_task``; returns ``(agents, configs)``.

        ``default_llm_config``: settings every agent's ``llm_config`` starts from (e.g. ``{"temperature": 0}``;
        its ``config_list`` comes from the config file). ``coding``: whether a code-running user proxy joins
        (None: the builder model decides). ``code_execution_config``: that proxy's (default: work_dir
        "groupchat", Docker decided as usual). ``use_oai_assistant``: GPTAssistantAgents instead of
        AssistantAgents. ``user_proxy``: the proxy to use instead of a new ``Computer_terminal``.
        ``list_of_functions``: ``[{"name", "description", "function"}]``; the builder model picks the agent that
        calls each one (it learns about it in its system message), and the code-running proxy, which then
        joins the team, executes it. Functions are not saved with the team.
        ``manager_system_message`` is saved with the team; other keyword arguments go to each agent's constructor.
        """
        limit = max_agents or self.max_agents
        manager_system_message = kwargs.pop("manager_system_message", self.DEFAULT_MANAGER_SYSTEM_MESSAGE)
        reserved = [self.USER_PROXY_NAME] + ([user_proxy.name] if user_proxy is not None else [])
        # the classic order of requests and progress lines: the names, every system message, every description
        say(colored("==> Generating agents...", "green"))
        roles: List[Role] = self._ask(
            self._template("AGENT_NAME_PROMPT", "ROLES_PROMPT").format(task=building_task, max_agents=limit),
            lambda text: parse_roles(text, limit, reserved),
            "list of experts",
        )
        say(f"{[r.name for r in roles]} are generated.")
        team = "\n".join(f"- {r.name}: {r.role or 'an expert of the task'}" for r in roles)
        say(colored("==> Generating system message...", "green"))
        system_messages = []
        for role in roles:
            say(f"Preparing system message for {role.name}")
            system_messages.append(
                self._ask(
                    self._template("AGENT_SYS_MSG_PROMPT", "SYSTEM_MESSAGE_PROMPT").format(
                        task=building_task,
                        team=team,
                        name=role.name,
                        role=role.role or "an expert of the task",
                        position=role.name,
                        default_sys_msg=self.DEFAULT_DESCRIPTION,
                    ),
                    parse_text,
                    f"system message for {role.name}",
                )
            )
        say(colored("==> Generating description...", "green"))
        agent_configs = []
        for role, system_message in zip(roles, system_messages):
            say(f"Preparing description for {role.name}")
            description = self._ask(
                self._template("AGENT_DESCRIPTION_PROMPT", "DESCRIPTION_PROMPT").format(
                    name=role.name, system_message=system_message, position=role.name, sys_msg=system_message
                ),
                parse_text,
                f"description of {role.name}",
            )
            agent_configs.append(self._agent_config(role.name, system_message, description))
        return self._finish(
            building_task,
            agent_configs,
            coding,
            default_llm_config,
            code_execution_config,
            manager_system_message,
            use_oai_assistant,
            user_proxy,
            list_of_functions,
            **kwargs,
        )

    def _finish(
        self,
        building_task: str,
        agent_configs: List[Dict[str, Any]],
        coding: Optional[bool],
        default_llm_config: Dict[str, Any],
        code_execution_config: Optional[Dict[str, Any]],
        manager_system_message: str,
        use_oai_assistant: bool,
        user_proxy: Optional[ConversableAgent],
        list_of_functions: Optional[List[Dict[str, Any]]],
        **kwargs: Any,
    ) -> Tuple[List[ConversableAgent], Dict[str, Any]]:
        """Decide on coding, remember the team, create its agents and give them the functions."""
        functions = _check_functions(list_of_functions)
        if functions and not coding:
            if coding is False:
                logger.warning("list_of_functions needs an executor: the code-running proxy joins the team.")
            coding = True
        if coding is None:
            coding = self._ask(self.CODING_PROMPT.format(task=building_task), parse_yes_no, "coding decision")
        self._remember(
            building_task, agent_configs, coding, default_llm_config, code_execution_config, manager_system_message
        )
        agents, configs = self._build_agents(use_oai_assistant, user_proxy, **kwargs)
        for function in functions:
            self._assign_function(function, agents)
        return agents, configs

    def _assign_function(self, function: Dict[str, Any], agents: List[ConversableAgent]) -> None:
        """Ask the builder model which agent calls ``function``; register it (the proxy, last, executes it)."""
        from ..conversable_agent import register_function

        executor, experts = agents[-1], agents[:-1]
        details = json.dumps([{"name": a.name, "description": a.description} for a in experts], indent=1)
        names = [a.name for a in experts]
        chosen = self._ask(
            self.AGENT_FUNCTION_MAP_PROMPT.format(
                function_name=function["name"],
                function_description=function["description"],
                format_agent_details='[{"name": "agent_name", "description": "agent description"}, ...]',
                agent_details=details,
            ),
            lambda text: parse_agent_choice(text, names),
            f"choice of the agent for the function {function['name']!r}",
        )
        caller = next(a for a in experts if a.name == chosen)
        register_function(
            function["function"],
            caller=caller,
            executor=executor,
            name=function["name"],
            description=function["description"],
        )
        caller.update_system_message(
            self.UPDATED_AGENT_SYSTEM_MESSAGE.format(
                agent_system_message=caller.system_message,
                function_name=function["name"],
                function_description=function["description"],
            )
        )

    def build_from_library(
        self,
        building_task: str,
        library_path_or_json: Any,
        default_llm_config: Dict[str, Any],
        top_k: int = 3,
        coding: Optional[bool] = None,
        code_execution_config: Optional[Dict[str, Any]] = None,
        use_oai_assistant: bool = False,
        embedding_model: Optional[str] = None,
        user_proxy: Optional[ConversableAgent] = None,
        embedding_function: Optional[Callable[..., Any]] = None,
        max_agents: Optional[int] = None,
        list_of_functions: Optional[List[Dict[str, Any]]] = None,
        **kwargs: Any,
    ) -> Tuple[List[ConversableAgent], Dict[str, Any]]:
        """Build a team from a library of agent profiles (a JSON file path or JSON text; see ``autobuild.library``).

        With ``embedding_model`` (e.g. "all-MiniLM-L6-v2", loaded from a local sentence-transformers install)
        or ``embedding_function`` (``texts -> vectors``), the ``top_k`` profiles most similar to the task are
        chosen without asking the builder model; otherwise the builder model chooses. Other arguments (and
        ``list_of_functions``) as for :meth:`build`.
        """
        from .autobuild.library import embedding_function_for, format_library, load_library, rank_by_similarity

        limit = max_agents or self.max_agents
        manager_system_message = kwargs.pop("manager_system_message", self.DEFAULT_MANAGER_SYSTEM_MESSAGE)
        profiles = load_library(library_path_or_json)
        say(colored("==> Looking for suitable agents in the library...", "green"))
        if embedding_model is not None or embedding_function is not None:
            ranked = rank_by_similarity(
                building_task, profiles, embedding_function_for(embedding_model, embedding_function)
            )
            chosen = ranked[: max(1, min(top_k, limit))]
        else:
            names = [p["name"] for p in profiles]
            library = format_library(profiles)
            chosen_names = self._ask(
                self._template("AGENT_SEARCHING_PROMPT", "LIBRARY_SELECTION_PROMPT").format(
                    task=building_task, library=library, agent_list=library, max_agents=limit
                ),
                lambda text: parse_library_choice(text, names, limit),
                "choice of experts from the library",
            )
            chosen = [next(p for p in profiles if p["name"] == name) for name in chosen_names]
        say(f"{[p['name'] for p in chosen]} are selected.")
        agent_configs = [
            self._agent_config(p["name"], p["system_message"], p["description"], p.get("model"), p.get("tags"))
            for p in chosen
        ]
        return self._finish(
            building_task,
            agent_configs,
            coding,
            default_llm_config,
            code_execution_config,
            manager_system_message,
            use_oai_assistant,
            user_proxy,
            list_of_functions,
            **kwargs,
        )

    def _agent_config(
        self,
        name: str,
        system_message: str,
        description: str,
        model: ModelSpec = None,
        tags: Optional[List[str]] = None,
    ) -> Dict[str, Any]:
        chosen_tags = tags if tags is not None else self.agent_model_tags
        return {  # the classic keys, in the classic order (saved teams are read by other tools too)
            "name": name,
            "model": model if model is not None else self.agent_model,
            "tags": list(chosen_tags or []),
            "system_message": system_message,
            "description": description,
        }

    def _remember(
        self,
        building_task: str,
        agent_configs: List[Dict[str, Any]],
        coding: bool,
        default_llm_config: Dict[str, Any],
        code_execution_config: Optional[Dict[str, Any]],
        manager_system_message: str,
    ) -> None:
        llm_config = dict(default_llm_config or {})
        if "config_list" in llm_config:
            logger.warning(
                "default_llm_config['config_list'] is ignored: each agent's configs come from %s, filtered by "
                "its model (and are never written to a saved team).",
                self.config_file_or_env,
            )
            llm_config.pop("config_list")
        self.building_task = building_task
        self.cached_configs = {
            "building_task": building_task,
            "agent_configs": agent_configs,
            "coding": bool(coding),
            "default_llm_config": llm_config,
            "code_execution_config": copy.deepcopy(
                code_execution_config if code_execution_config is not None else _DEFAULT_CODE_EXECUTION_CONFIG
            ),
            "manager_system_message": manager_system_message,
        }

    # ------------------------------------------------------------------------------------------ agents --
    def _team_system_message(self, config: Dict[str, Any], members: List[str], coding: bool) -> str:
        note = self._template("CODING_AND_TASK_SKILL_INSTRUCTION", "TERMINAL_NOTE")
        terminal = note.format(terminal=self.USER_PROXY_NAME) if coding else ""
        template = self._template("GROUP_CHAT_DESCRIPTION", "TEAM_INSTRUCTIONS")
        if "{system_message}" not in template:  # a classic description goes after the agent's own message
            template = "{system_message}\n\n" + template
        return template.format(
            system_message=config["system_message"],
            name=config["name"],
            members=", ".join(members),
            terminal=terminal,
            user_proxy_desc=terminal,
        )

    def _create_agent(
        self,
        config: Dict[str, Any],
        members: List[str],
        llm_configs: Dict[str, Dict[str, Any]],
        use_oai_assistant: bool,
        **kwargs: Any,
    ) -> ConversableAgent:
        key = json.dumps([config.get("model"), config.get("tags")], sort_keys=True)
        if key not in llm_configs:
            config_list = self._config_list(config.get("model"), config.get("tags"), f"agent {config['name']!r}")
            llm_configs[key] = {**self.cached_configs["default_llm_config"], "config_list": config_list}
        llm_config = copy.deepcopy(llm_configs[key])
        coding = bool(self.cached_configs.get("coding"))
        system_message = self._team_system_message(config, members, coding)
        agent: ConversableAgent
        if use_oai_assistant:
            from .gpt_assistant_agent import GPTAssistantAgent

            agent = GPTAssistantAgent(
                name=config["name"],
                instructions=system_message,
                llm_config=llm_config,
                description=config["description"],
                **kwargs,
            )
        else:
            from ..assistant_agent import AssistantAgent

            agent = AssistantAgent(
                name=config["name"],
                system_message=system_message,
                llm_config=llm_config,
                description=config["description"],
                **kwargs,
            )
        return agent

    def _make_user_proxy(self) -> UserProxyAgent:
        from ..user_proxy_agent import UserProxyAgent

        return UserProxyAgent(
            name=self.USER_PROXY_NAME,
            human_input_mode="NEVER",
            code_execution_config=copy.deepcopy(self.cached_configs["code_execution_config"]),
            default_auto_reply=self.DEFAULT_PROXY_AUTO_REPLY,
            is_termination_msg=lambda m: (m.get("content") or "").strip().rstrip(".").endswith("TERMINATE"),
            description=self.TERMINAL_DESCRIPTION,
        )

    def _build_agents(
        self, use_oai_assistant: bool = False, user_proxy: Optional[ConversableAgent] = None, **kwargs: Any
    ) -> Tuple[List[ConversableAgent], Dict[str, Any]]:
        configs = self.cached_configs["agent_configs"]
        coding = bool(self.cached_configs.get("coding"))
        proxy: Optional[ConversableAgent] = None
        if coding:
            proxy = user_proxy if user_proxy is not None else self._make_user_proxy()
        members = [c["name"] for c in configs] + ([proxy.name] if proxy is not None else [])
        llm_configs: Dict[str, Dict[str, Any]] = {}
        say(colored("==> Creating agents...", "green"))
        agents = []
        for config in configs:
            say(f"Creating agent {config['name']}...")
            agents.append(self._create_agent(config, members, llm_configs, use_oai_assistant, **kwargs))
        if proxy is not None:  # last, as classic: classic code starts the chat with agent_list[0], an expert
            say("Adding user console proxy...")
            agents.append(proxy)
        for agent in agents:
            self.agents[agent.name] = agent
        return agents, copy.deepcopy(self.cached_configs)

    def clear_agent(self, agent_name: str, recycle_endpoint: bool = True) -> None:
        """Forget the agent named ``agent_name`` (``recycle_endpoint`` is kept for compatibility)."""
        if self.agents.pop(agent_name, None) is None:
            logger.warning("AgentBuilder has no agent named %r to clear.", agent_name)
        else:
            say(colored(f"Agent {agent_name} has been cleared.", "yellow"))

    def clear_all_agents(self, recycle_endpoint: bool = True) -> None:
        """Forget every agent built so far."""
        self.agents.clear()
        say(colored("All agents have been cleared.", "yellow"))

    # ------------------------------------------------------------------------------------- save / load --
    def save(self, filepath: Optional[str] = None) -> str:
        """Write the team's configs as JSON (default ``./save_config_<md5 of the task>.json``); returns the path."""
        if not self.cached_configs:
            raise AgentBuilderError("There is no team to save: call build(), build_from_library() or load() first.")
        if filepath is None:
            digest = hashlib.md5(self.cached_configs["building_task"].encode("utf-8")).hexdigest()
            filepath = f"./save_config_{digest}.json"
        with open(filepath, "w", encoding="utf-8") as f:
            json.dump(self.cached_configs, f, indent=4)
        say(colored(f"Building config saved to {filepath}", "green"))
        return filepath

    def load(
        self,
        filepath: Optional[str] = None,
        config_json: Optional[str] = None,
        use_oai_assistant: bool = False,
        **kwargs: Any,
    ) -> Tuple[List[ConversableAgent], Dict[str, Any]]:
        """Rebuild a saved team from ``filepath`` or from the JSON text ``config_json``, without the builder model.

        ``user_proxy`` may be given as for :meth:`build`; other keyword arguments go to each agent's constructor.
        """
        if (filepath is None) == (config_json is None):
            raise AgentBuilderError("Give load() either filepath or config_json (and not both).")
        source = f"the file {filepath!r}" if filepath is not None else "config_json"
        say(colored("Loading config from JSON..." if filepath is None else f"Loading config from {filepath}", "green"))
        try:
            if filepath is not None:
                with open(filepath, encoding="utf-8") as f:
                    data = json.load(f)
            else:
                data = json.loads(config_json)  # type: ignore[arg-type]
        except (OSError, json.JSONDecodeError) as err:
            raise AgentBuilderError(f"Could not read the saved team from {source}: {err}") from err
        self._load_configs(data, source)
        return self._build_agents(use_oai_assistant, kwargs.pop("user_proxy", None), **kwargs)

    def _load_configs(self, data: Any, source: str) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("agent_configs"), list) or not data["agent_configs"]:
            raise AgentBuilderError(f"{source} is not a saved team: it needs a non-empty 'agent_configs' list.")
        agent_configs = []
        for i, config in enumerate(data["agent_configs"]):
            if not isinstance(config, dict) or not config.get("name") or not config.get("system_message"):
                raise AgentBuilderError(f"{source}: agent config {i} needs a 'name' and a 'system_message'.")
            if clean_name(config["name"]) != config["name"]:
                raise AgentBuilderError(
                    f"{source}: {config['name']!r} is not a valid agent name (letters, digits, '_' and '-' only)."
                )
            agent_configs.append(
                self._agent_config(
                    config["name"],
                    config["system_message"],
                    config.get("description") or config["system_message"],
                    config.get("model"),
                    config.get("tags"),
                )
            )
        names = [c["name"] for c in agent_configs]
        if len(set(names)) != len(names):
            raise AgentBuilderError(f"{source}: agent names must be unique, got {names}.")
        self._remember(
            data.get("building_task", ""),
            agent_configs,
            # files saved without "coding" ran code when they had a code_execution_config
            bool(data.get("coding", bool(data.get("code_execution_config")))),
            data.get("default_llm_config") or {},
            data.get("code_execution_config"),
            data.get("manager_system_message", self.DEFAULT_MANAGER_SYSTEM_MESSAGE),
        )
