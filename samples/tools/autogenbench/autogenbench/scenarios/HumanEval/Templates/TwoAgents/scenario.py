"""HumanEval with two agents: an assistant writes the function, a user proxy runs its code and shows the output."""

import agbench
import humaneval

import autogen

problem = humaneval.load_problem()
humaneval.prepare_work_dir(problem)

assistant = autogen.AssistantAgent(
    "assistant",
    llm_config=agbench.llm_config(timeout=180),
    is_termination_msg=humaneval.is_termination_msg,
)
user_proxy = autogen.UserProxyAgent(
    "user_proxy",
    human_input_mode="NEVER",
    max_consecutive_auto_reply=10,
    is_termination_msg=humaneval.is_termination_msg,
    code_execution_config={"work_dir": humaneval.WORK_DIR, "use_docker": False, "timeout": 60},
    default_auto_reply="TERMINATE",
)

user_proxy.initiate_chat(assistant, message=humaneval.task_message(problem))

conversation = assistant.chat_messages[user_proxy]
passed, output = humaneval.verify(humaneval.final_code(conversation, problem.entry_point), problem)
humaneval.report(passed, output)
agbench.record(
    [assistant, user_proxy],
    success=passed,
    messages=conversation,
    extra={"entry_point": problem.entry_point, "check_output": output},
)
