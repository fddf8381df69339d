"""HumanEval as a group chat: a coder writes the function, an executor runs it, a reviewer judges the outcome.

The group chat manager asks the model who speaks next ("auto" speaker selection), from the agents' descriptions.
"""

import agbench
import humaneval

import autogen

problem = humaneval.load_problem()
humaneval.prepare_work_dir(problem)
llm_config = agbench.llm_config(timeout=180)

coder = autogen.AssistantAgent(
    "coder",
    llm_config=llm_config,
    description="Writes and fixes the Python code that solves the task, as one complete code block.",
    is_termination_msg=humaneval.is_termination_msg,
)
reviewer = autogen.AssistantAgent(
    "reviewer",
    llm_config=llm_config,
    system_message=(
        "You are the reviewer in a team solving a programming task. Read the code and the output of its tests. If "
        "all tests passed, reply TERMINATE and nothing else. Otherwise explain briefly what is wrong, so that the "
        "coder can fix it."
    ),
    description="Reviews the code and its test output after it has been run; ends the task once all tests pass.",
)
executor = autogen.UserProxyAgent(
    "executor",
    human_input_mode="NEVER",
    description="Runs the Python code blocks the coder writes and reports their output. Speaks after new code.",
    code_execution_config={"work_dir": humaneval.WORK_DIR, "use_docker": False, "timeout": 60},
    default_auto_reply="",
)

groupchat = autogen.GroupChat(
    agents=[executor, coder, reviewer],
    messages=[],
    max_round=16,
    speaker_selection_method="auto",
    allow_repeat_speaker=False,
)
manager = autogen.GroupChatManager(
    groupchat=groupchat, llm_config=llm_config, is_termination_msg=humaneval.is_termination_msg
)

executor.initiate_chat(manager, message=humaneval.task_message(problem))

passed, output = humaneval.verify(humaneval.final_code(groupchat.messages, problem.entry_point), problem)
humaneval.report(passed, output)
agbench.record(
    [coder, reviewer, executor, manager],
    success=passed,
    messages=groupchat.messages,
    extra={"entry_point": problem.entry_point, "check_output": output},
)
