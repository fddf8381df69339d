"""AutoGenBench end to end: the HumanEval scenario against the scripted model (the real openai SDK over HTTP to
the test LLM server), natively and in Docker, with repetition, subsampling, requirements, time limits, resume after
an interrupted run, and the Ray backend on a local Ray cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from bench_helpers import EXPECTED, make_wheel, run_cli, statuses

TRIAL_FILES = (
    "console_log.txt",
    "messages.json",
    "result.json",
    "trial.json",
    "task.json",
    "scenario.py",
    "agbench.py",
)


def _tasks(scenario: Path, name: str) -> str:
    return str(scenario / "Tasks" / f"small_{name}.jsonl")


def _toy_scenario(root: Path, words: list[str], wheel: bool = False) -> str:
    """A scenario of our own, without a model: it succeeds when its word starts with "ok"."""
    template = root / "Toy" / "Templates" / "Toy"
    template.mkdir(parents=True)
    (template / "word.txt").write_text("__WORD__")
    (template / "scenario.py").write_text(
        "import time\n\nimport agbench\n\n"
        "word = open('word.txt').read().strip()\n"
        "if word == 'sleep':\n    time.sleep(120)\n"
        "if word == 'crash':\n    raise SystemExit(3)\n"
        "extra = {}\n"
        "try:\n    import tinypkg_agbench\n    extra['tinypkg'] = tinypkg_agbench.VALUE\n"
        "except ImportError:\n    pass\n"
        "print('toy says', word)\n"
        "agbench.record([], success=word.startswith('ok'), extra=extra)\n"
    )
    if wheel:
        make_wheel(template)
    tasks = root / "Toy" / "Tasks"
    tasks.mkdir()
    lines = [
        {"id": f"Toy_{i}", "template": "Templates/Toy", "substitutions": {"word.txt": {"__WORD__": w}}}
        for i, w in enumerate(words)
    ]
    (tasks / "toy.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(tasks / "toy.jsonl")


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------------------------------- natively


def test_two_agents_native_repeat_tabulate_and_skip_finished(bench: Any, scenario: Path, tmp_path: Path) -> None:
    tasks = _tasks(scenario, "human_eval_two_agents")
    done = run_cli("run", "--native", "--repeat", "2", "--parallel", "2", tasks)
    assert done.code == 0, done.err
    assert "WARNING: --native runs every trial directly on this machine" in done.err
    assert "3 tasks x 2 trials = 6; 0 already finished, 6 to run" in done.err
    assert "[6/6]" in done.err and "6/6 finished, 2 failed" in done.err  # plain progress lines (not a terminal)
    results = tmp_path / "Results" / "small_human_eval_two_agents"
    assert statuses(results) == {task: [status, status] for task, status in EXPECTED.items()}
    assert len(bench.chat_requests()) == 12  # code, then TERMINATE after seeing the test output: 2 per trial

    trial = results / "HumanEval_0" / "1"
    for name in TRIAL_FILES:
        assert (trial / name).is_file(), name
    assert not list(results.rglob("__pycache__"))
    result = _json(trial / "result.json")
    assert result["success"] is True and result["turns"] == 4
    assert (
        result["usage"]["total_tokens"] == result["usage"]["prompt_tokens"] + result["usage"]["completion_tokens"] > 0
    )
    assert result["cost"] > 0 and "gpt-4" in result["usage_by_model"]
    record = _json(trial / "trial.json")
    assert record["exit_code"] == 0 and record["timed_out"] is False and record["backend"] == "local"
    assert record["isolation"]["mode"] == "native" and record["task_id"] == "HumanEval_0" and record["trial"] == 1
    assert record["started_at"] < record["finished_at"] and record["duration_seconds"] > 0
    chat = _json(trial / "messages.json")["chat"]
    assert "Complete the Python function `has_close_elements`" in chat[0]["content"]
    assert any("ALL TESTS PASSED" in (m.get("content") or "") for m in chat)
    assert "HUMANEVAL FINAL CHECK: PASSED" in (trial / "console_log.txt").read_text()
    failed = results / "HumanEval_4" / "0"
    assert _json(failed / "result.json")["success"] is False
    assert "HUMANEVAL FINAL CHECK: FAILED" in (failed / "console_log.txt").read_text()

    table = run_cli("tabulate", "--metrics", str(results)).out.splitlines()
    assert table[2].split()[:3] == ["HumanEval_0", "True", "True"]
    assert table[4].split()[:3] == ["HumanEval_4", "False", "False"]
    assert ["Successes", "2", "2"] == next(line.split() for line in table if line.startswith("Successes"))
    assert ["Failures", "1", "1"] == next(line.split() for line in table if line.startswith("Failures"))

    bench.reset()
    again = run_cli("run", "--native", "--repeat", "2", tasks)
    assert again.code == 0 and "6 already finished, 0 to run" in again.err and "Nothing to do" in again.err
    assert bench.chat_requests() == []


def test_group_chat_native(bench: Any, scenario: Path, tmp_path: Path) -> None:
    done = run_cli("run", "--native", "--parallel", "3", _tasks(scenario, "human_eval_group_chat"))
    assert done.code == 0, done.err
    results = tmp_path / "Results" / "small_human_eval_group_chat"
    assert statuses(results) == {task: [status] for task, status in EXPECTED.items()}
    chat = _json(results / "HumanEval_2" / "0" / "messages.json")["chat"]
    assert [m.get("name") for m in chat] == ["executor", "coder", "executor", "reviewer"]
    selections = [b for b in bench.chat_requests() if "should speak next" in json.dumps(b["messages"][-1])]
    assert len(selections) == 9  # the manager asked the model to pick each of the 3 speakers, in 3 trials
    result = _json(results / "HumanEval_2" / "0" / "result.json")
    assert result["turns"] == 4 and result["usage"]["total_tokens"] > 0  # the manager's selection calls count too


def test_subsample_is_stable_across_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAI_CONFIG_LIST", '[{"model": "unused"}]')
    tasks = _toy_scenario(tmp_path, [f"ok{i}" for i in range(6)])
    done = run_cli("run", "--native", "--subsample", "2", "--parallel", "2", tasks)
    assert done.code == 0, done.err
    assert "toy: 2 tasks x 1 trials = 2" in done.err
    chosen = sorted(p.name for p in (tmp_path / "Results" / "toy").iterdir())
    assert len(chosen) == 2
    again = run_cli("run", "--native", "--subsample", "2", tasks)  # the same pick: nothing new to run
    assert "2 already finished, 0 to run" in again.err
    fraction = run_cli("run", "--native", "--subsample", "0.5", "--seed", "7", "--results-dir", "half", tasks)
    assert fraction.code == 0 and len(list((tmp_path / "half" / "toy").iterdir())) == 3


def test_time_limit_and_crash_are_finished_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAI_CONFIG_LIST", '[{"model": "unused"}]')
    tasks = _toy_scenario(tmp_path, ["ok", "sleep", "crash", "nope"])
    start = time.monotonic()
    done = run_cli("run", "--native", "--parallel", "4", "--timeout", "3", tasks)
    assert done.code == 0, done.err
    assert time.monotonic() - start < 60
    results = tmp_path / "Results" / "toy"
    assert statuses(results) == {"Toy_0": ["success"], "Toy_1": ["failure"], "Toy_2": ["failure"], "Toy_3": ["failure"]}
    slept = _json(results / "Toy_1" / "0" / "trial.json")
    assert slept["timed_out"] is True and slept["exit_code"] == 124
    assert "exceeded the time limit of 3 s" in (results / "Toy_1" / "0" / "console_log.txt").read_text()
    assert _json(results / "Toy_2" / "0" / "trial.json")["exit_code"] == 3
    assert not (results / "Toy_2" / "0" / "result.json").exists()
    assert "toy says nope" in (results / "Toy_3" / "0" / "console_log.txt").read_text()


def _processes_in(folder: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).resolve() == folder.resolve():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_resume_after_an_interrupted_run(bench: Any, scenario: Path, tmp_path: Path) -> None:
    """Ctrl-C in the middle of the last trial: finished trials are kept, the interrupted one is run again."""
    responder = bench.responder

    def slow_on_problem_4(body: dict[str, Any]) -> Any:
        reply = responder(body)
        if "mean_absolute_deviation" in json.dumps(body["messages"]):
            return {"content": reply, "delay": 60}
        return reply

    bench.responder = slow_on_problem_4
    tasks = _tasks(scenario, "human_eval_two_agents")
    log = tmp_path / "run.log"
    with open(log, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "autogenbench", "run", "--native", tasks], stderr=err, stdout=err, cwd=tmp_path
        )
    try:
        deadline = time.monotonic() + 90
        while "mean_absolute_deviation" not in json.dumps(bench.chat_requests()):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert "Interrupted after 2 of 3 trials" in log.read_text()
    results = tmp_path / "Results" / "small_human_eval_two_agents"
    interrupted = results / "HumanEval_4" / "0"
    assert interrupted.is_dir() and not (interrupted / "trial.json").exists()
    assert _processes_in(interrupted) == []  # the trial's processes were stopped with it
    assert statuses(results)["HumanEval_4"] == ["missing"]
    kept = (results / "HumanEval_0" / "0" / "trial.json").read_bytes()

    bench.responder = responder
    done = run_cli("run", "--native", tasks)
    assert done.code == 0, done.err
    assert "2 already finished, 1 to run" in done.err
    assert (results / "HumanEval_0" / "0" / "trial.json").read_bytes() == kept
    assert statuses(results) == {task: [status] for task, status in EXPECTED.items()}


# ---------------------------------------------------------------------------------------------------- errors


def test_configuration_and_docker_errors_say_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = _toy_scenario(tmp_path, ["ok"])
    monkeypatch.delenv("OAI_CONFIG_LIST", raising=False)
    done = run_cli("run", "--native", tasks)
    assert done.code == 2 and "No model configuration" in done.err

    monkeypatch.setenv("OAI_CONFIG_LIST", '[{"model": "unused"}]')
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")  # nothing listens there
    done = run_cli("run", tasks)
    assert done.code == 2
    assert "Cannot reach the Docker daemon" in done.err and "--native" in done.err
    assert not (tmp_path / "Results").exists()

    assert run_cli("run", "--native", "--docker-image", "x", tasks).code == 2
    assert "--ray-address goes with --backend ray" in run_cli("run", "--ray-address", "auto", tasks).err


# ---------------------------------------------------------------------------------------------------- Docker


def _no_leftover_containers(results: Path) -> None:
    """No container of this test's trials is left (other runs on the machine may have theirs)."""
    assert _our_containers(results) == []


@pytest.mark.docker
def test_two_agents_in_docker(need_docker: None, bench: Any, scenario: Path, tmp_path: Path) -> None:
    done = run_cli("run", "--parallel", "3", _tasks(scenario, "human_eval_two_agents"))
    assert done.code == 0, done.err
    assert "WARNING" not in done.err and "Docker image python:3-slim" in done.err
    results = tmp_path / "Results" / "small_human_eval_two_agents"
    assert statuses(results) == {task: [status] for task, status in EXPECTED.items()}
    trial = results / "HumanEval_0" / "0"
    log = (trial / "console_log.txt").read_text()
    assert "trial started at" in log and " in /workspace " in log  # it ran in the container's folder
    record = _json(trial / "trial.json")
    assert record["isolation"] == {"mode": "docker", "image": "python:3-slim", "host_packages": True}
    assert _json(trial / "result.json")["cost"] > 0
    _no_leftover_containers(results.resolve())


@pytest.mark.docker
def test_group_chat_in_docker(need_docker: None, bench: Any, scenario: Path, tmp_path: Path) -> None:
    done = run_cli("run", "--parallel", "3", _tasks(scenario, "human_eval_group_chat"))
    assert done.code == 0, done.err
    results = tmp_path / "Results" / "small_human_eval_group_chat"
    assert statuses(results) == {task: [status] for task, status in EXPECTED.items()}
    _no_leftover_containers(results.resolve())


@pytest.mark.parametrize("where", ["native", pytest.param("docker", marks=pytest.mark.docker)])
def test_requirements_are_installed_before_the_scenario(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "docker":
        from bench_helpers import docker_ready

        if docker_ready():
            pytest.skip(docker_ready())
    monkeypatch.setenv("OAI_CONFIG_LIST", '[{"model": "unused"}]')
    tasks = _toy_scenario(tmp_path, ["ok"], wheel=True)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("./tinypkg_agbench-0.1-py3-none-any.whl\n")  # relative to the trial folder
    args = ["--native"] if where == "native" else []
    done = run_cli("run", *args, "--requirements", str(requirements), tasks)
    assert done.code == 0, done.err
    trial = tmp_path / "Results" / "toy" / "Toy_0" / "0"
    assert _json(trial / "result.json")["tinypkg"] == 42, (trial / "console_log.txt").read_text()
    assert "installing requirements.txt" in (trial / "console_log.txt").read_text()
    assert not any(p.name.startswith("tinypkg_agbench") and p.is_dir() for p in trial.iterdir())  # a scratch target


def _our_containers(results: Path) -> list[Any]:
    import docker

    client = docker.from_env()
    try:
        containers = client.containers.list(all=True, filters={"label": "org.autogen.autogenbench"})
        return [c for c in containers if c.labels.get("org.autogen.autogenbench.folder", "").startswith(str(results))]
    finally:
        client.close()


@pytest.mark.docker
def test_sigterm_stops_the_containers_of_a_docker_run(need_docker: None, tmp_path: Path) -> None:
    tasks = _toy_scenario(tmp_path, ["sleep", "sleep"])
    env = dict(os.environ, OAI_CONFIG_LIST='[{"model": "unused"}]')
    log = tmp_path / "run.log"
    results = (tmp_path / "Results" / "toy").resolve()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "autogenbench", "run", "--parallel", "2", tasks], stdout=out, stderr=out, env=env
        )
    try:
        deadline = time.monotonic() + 90
        while len(_our_containers(results)) < 2:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        process.terminate()
        assert process.wait(timeout=60) == 130, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert "Interrupted after 0 of 2 trials" in log.read_text()
    deadline = time.monotonic() + 30
    while _our_containers(results) and time.monotonic() < deadline:  # removal may trail the kill by a moment
        time.sleep(0.3)
    assert _our_containers(results) == []
    assert statuses(results) == {"Toy_0": ["missing"], "Toy_1": ["missing"]}


@pytest.mark.docker
def test_missing_image_says_what_to_do(need_docker: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAI_CONFIG_LIST", '[{"model": "unused"}]')
    done = run_cli("run", "--docker-image", "autogenbench-no-such-image:1", _toy_scenario(tmp_path, ["ok"]))
    assert done.code == 2
    assert "'autogenbench-no-such-image:1' is not present locally" in done.err
    assert "setup_docker.sh" in done.err and "--docker-image" in done.err and "--native" in done.err


# ---------------------------------------------------------------------------------------------------- Ray


@pytest.mark.timeout(420)
def test_ray_backend_writes_the_same_results_as_local(bench: Any, scenario: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason='pip install "autogenbench[ray]"')
    tasks = _tasks(scenario, "human_eval_two_agents")
    local = run_cli("run", "--native", "--parallel", "3", "--results-dir", "local", tasks)
    assert local.code == 0, local.err
    on_ray = run_cli("run", "--native", "--backend", "ray", "--parallel", "2", "--results-dir", "ray", tasks)
    assert on_ray.code == 0, on_ray.err
    assert "(ray backend, natively)" in on_ray.err and "[3/3]" in on_ray.err

    local_root = tmp_path / "local" / "small_human_eval_two_agents"
    ray_root = tmp_path / "ray" / "small_human_eval_two_agents"
    assert statuses(ray_root) == statuses(local_root) == {task: [status] for task, status in EXPECTED.items()}
    assert _files(ray_root) == _files(local_root)
    for task in EXPECTED:
        ours, theirs = ray_root / task / "0", local_root / task / "0"
        a, b = _json(ours / "result.json"), _json(theirs / "result.json")
        for key in ("success", "turns", "usage", "cost", "entry_point"):  # (check_output names the folder it ran in)
            assert a[key] == b[key], (task, key)
        assert _json(ours / "trial.json")["backend"] == "ray"
        assert _json(theirs / "trial.json")["backend"] == "local"
        assert (ours / "coding" / "my_tests.py").read_text() == (theirs / "coding" / "my_tests.py").read_text()
