"""The parts of :class:`autogen.agentchat.contrib.agent_optimizer.AgentOptimizer`: prompts and tool schemas,
validation of proposed functions, and running them."""
