"""The parts of :class:`autogen.agentchat.contrib.agent_builder.AgentBuilder`: prompts, answer parsing, libraries."""
