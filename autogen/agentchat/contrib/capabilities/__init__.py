"""Capabilities: behaviours added to an existing agent with ``capability.add_to_agent(agent)``.

``agent_capability.AgentCapability`` is the base class; ``teachability.Teachability`` lets an agent
remember what users teach it. Modules are imported one by one, so their optional packages load only when used.
"""
