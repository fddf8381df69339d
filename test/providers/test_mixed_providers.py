"""A group chat whose agents run on different providers: Ollama, Mistral AI and Cohere, managed over OpenAI."""

from __future__ import annotations

from typing import Any, Callable

from chat_completions_server import CohereServer, MistralServer
from ollama_server import OllamaServer

from autogen import ConversableAgent, GroupChat, GroupChatManager


def test_group_chat_mixing_three_providers(provider_servers: Callable[[type], Any], llm_server: Any) -> None:
    ollama, mistral, cohere = (
        provider_servers(OllamaServer),
        provider_servers(MistralServer),
        provider_servers(CohereServer),
    )

    def agent(name: str, config: dict[str, Any]) -> ConversableAgent:
        return ConversableAgent(
            name,
            system_message=f"You are the {name}.",
            description=f"The {name}.",
            llm_config={"config_list": [config], "cache_seed": None},
            human_input_mode="NEVER",
        )

    planner = agent("planner", {"model": "llama3.1", "api_type": "ollama", "client_host": ollama.url})
    critic = agent(
        "critic", {"model": "mistral-small-latest", "api_type": "mistral", "api_key": "k", "base_url": mistral.url}
    )
    writer = agent("writer", {"model": "command-r", "api_type": "cohere", "api_key": "k", "base_url": cohere.url})
    ollama.script("Plan: three steps.")
    mistral.script("Critique: step two is vague.")
    cohere.script("Final text, with step two made precise.")
    llm_server.script("planner", "critic", "writer")  # the manager's speaker selection

    group = GroupChat([planner, critic, writer], messages=[], max_round=4, speaker_selection_method="auto")
    manager = GroupChatManager(group, llm_config=llm_server.llm_config())
    result = planner.initiate_chat(manager, message="Write a short guide.")

    assert [(m.get("name"), m["content"]) for m in group.messages] == [
        ("planner", "Write a short guide."),
        ("planner", "Plan: three steps."),
        ("critic", "Critique: step two is vague."),
        ("writer", "Final text, with step two made precise."),
    ]
    assert result.chat_history[-1]["content"] == "Final text, with step two made precise."
    # each provider saw the conversation from its agent's side, in its own format
    critic_request = mistral.bodies(mistral.path)[0]
    assert critic_request["messages"][0] == {"role": "system", "content": "You are the critic."}
    assert [m["role"] for m in critic_request["messages"][1:]] == ["user", "user"]
    writer_request = cohere.bodies(cohere.path)[0]
    assert writer_request["messages"][-1]["content"] == "Critique: step two is vague."
    # usage of every provider adds up in the agents' wrappers
    assert critic.client.total_usage_summary["mistral-small-latest"]["total_tokens"] > 0
    assert writer.client.total_usage_summary["command-r"]["total_tokens"] > 0
