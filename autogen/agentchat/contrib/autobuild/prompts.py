"""The builder model's prompts and the text AgentBuilder gives the agents it creates.

Each prompt is a ``str.format`` template; literal braces are doubled. AgentBuilder exposes them as class
attributes, so a subclass can change one without touching the rest.
"""

from __future__ import annotations

__all__ = [
    "CODING_PROMPT",
    "DEFAULT_PROXY_AUTO_REPLY",
    "DEFAULT_SYSTEM_MESSAGE_TEMPLATE",
    "DESCRIPTION_PROMPT",
    "FUNCTION_ASSIGNMENT_PROMPT",
    "FUNCTION_NOTE",
    "LIBRARY_SELECTION_PROMPT",
    "ROLES_PROMPT",
    "SYSTEM_MESSAGE_PROMPT",
    "TEAM_INSTRUCTIONS",
    "TERMINAL_DESCRIPTION",
    "TERMINAL_NOTE",
]

ROLES_PROMPT = """You are putting together a small team of AI experts who will solve a task together in a group chat.

Task:
{task}

Propose from 1 to {max_agents} experts whose skills together cover everything the task needs, with no two \
experts doing the same job. Give each one a short name made of letters, digits and underscores only (for \
example "Data_Analyst"), and say in one sentence what they contribute.

Answer with JSON only, no other text: a list of objects of the form {{"name": "...", "role": "..."}}."""

SYSTEM_MESSAGE_PROMPT = """A team of AI experts will solve this task together in a group chat:
{task}

The team:
{team}

Write the system message of {name}, whose role is: {role}
Speak to the expert as "you". Say who they are, what they are responsible for in this task, how they \
should work (reason step by step, check their own results and those of the others) and what they should \
leave to the other members.

Answer with the text of the system message only."""

DESCRIPTION_PROMPT = """Here is the system message of {name}, an AI expert in a group chat:
{system_message}

In one or two sentences, in the third person, describe {name} so that the coordinator of the chat can \
tell when {name} should speak. Answer with the description only."""

CODING_PROMPT = """Task:
{task}

Does solving this task require writing code and running it (for example to compute something, fetch or \
process data, work with files or test a program)? Answer with YES or NO only."""

LIBRARY_SELECTION_PROMPT = """Choose the members of a team of AI experts who will solve this task together \
in a group chat:
{task}

The experts you can choose from:
{library}

Choose from 1 to {max_agents} experts whose skills the task needs. Answer with JSON only, no other text: a \
list of their names, written exactly as above."""

TEAM_INSTRUCTIONS = """{system_message}

## Working in the team
You are {name}, one member of a group chat whose members solve a task together: {members}.{terminal}
Do your part, build on what the others have said, and point out the mistakes you notice. When the task \
is solved and the result has been checked, end your message with "TERMINATE"."""

TERMINAL_NOTE = """
{terminal} runs the code the members write (Python in ```python blocks, shell commands in ```sh blocks) \
and reports what it printed; it cannot write code nor reason. Give complete code that runs as it is, one \
block per message, and make it print its results."""

TERMINAL_DESCRIPTION = (
    "A computer terminal that runs the Python and shell code blocks it is sent and reports their output. "
    "It should speak right after a member has written code to run, and at no other time."
)

DEFAULT_PROXY_AUTO_REPLY = (
    "There was no code in the last message for me to run. The other members should carry on with the "
    'task; when it is solved and checked, reply with "TERMINATE".'
)

# the skeleton of a system message that classic AGENT_SYS_MSG_PROMPT templates ask the model to fill ({default_sys_msg})
DEFAULT_SYSTEM_MESSAGE_TEMPLATE = """## Who you are
[the expert's name, and the skills they bring]

## What you do in this task
- [the part of the task this expert is responsible for]
- [how they check their work and the others']
- [(optional) anything else they need to know]"""

FUNCTION_ASSIGNMENT_PROMPT = """A team of AI agents can use a new function:
name: {function_name}
what it does: {function_description}

Which agent should call it? The agents are listed below, as {format_agent_details}:
{agent_details}

Answer with the name of that one agent only, written exactly as in the list."""

FUNCTION_NOTE = """{agent_system_message}

## Functions you can call
- {function_name}: {function_description}
Call it as a tool when it helps; the code-running member of the team runs it and reports the result."""
