"""The parts of AutoGenBench that need no model and no container: task files, trial folders, packing, progress,
tabulation, configuration, clone and the help texts."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from autogenbench.errors import BenchError
from autogenbench.progress import Progress, format_duration
from autogenbench.results import TRIAL_FILE, read_trial
from autogenbench.run import load_config
from autogenbench.tabulate import CAUTION, collect, render_csv, render_table
from autogenbench.tasks import load_tasks, parse_subsample, prepare_trial_folder, subsample
from autogenbench.trial import pack_folder, unpack_folder
from bench_helpers import run_cli

RUNTIME = Path(__import__("autogenbench").__file__).with_name("agbench.py")


def _scenario(root: Path, lines: list[dict]) -> Path:
    template = root / "Templates" / "Echo"
    template.mkdir(parents=True)
    (template / "scenario.py").write_text("print('__WORD__')\n")
    (template / "data.txt").write_text("say __WORD__ twice: __WORD__\n")
    tasks = root / "Tasks"
    tasks.mkdir()
    path = tasks / "echo.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _task(i: int, **extra: object) -> dict:
    return {"id": f"T_{i}", "template": "Templates/Echo", "substitutions": {"data.txt": {"__WORD__": f"w{i}"}}, **extra}


# ---------------------------------------------------------------------------------------------------- task files


def test_tasks_load_resolve_templates_and_substitute(tmp_path: Path) -> None:
    path = _scenario(tmp_path, [_task(1), _task(2)])
    tasks = load_tasks(path)
    assert [t.id for t in tasks] == ["T_1", "T_2"]
    assert tasks[0].templates == [(tmp_path / "Templates" / "Echo").resolve()]

    folder = tmp_path / "trial"
    prepare_trial_folder(tasks[1], folder, RUNTIME, requirements="tinypkg\n")
    assert (folder / "data.txt").read_text() == "say w2 twice: w2\n"
    assert (folder / "scenario.py").read_text() == "print('__WORD__')\n"  # only the named files change
    assert (folder / "agbench.py").read_text() == RUNTIME.read_text()
    assert (folder / "requirements.txt").read_text() == "tinypkg\n"
    assert json.loads((folder / "task.json").read_text())["id"] == "T_2"

    (folder / "stale.txt").write_text("from an interrupted trial")
    prepare_trial_folder(tasks[1], folder, RUNTIME)
    assert not (folder / "stale.txt").exists()  # every trial starts from a fresh copy


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "not valid JSON"),
        (json.dumps(_task(1, id="../escape")), "usable as a folder name"),
        (json.dumps({"id": "x", "template": "Templates/Missing"}), "template folder 'Templates/Missing' not found"),
        (json.dumps({"id": "x", "template": "Templates/Echo", "substitutions": ["a"]}), "'substitutions' must map"),
    ],
)
def test_task_file_errors_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = _scenario(tmp_path, [_task(1)])
    path.write_text(path.read_text() + line + "\n")
    with pytest.raises(BenchError, match=message) as info:
        load_tasks(path)
    assert f"{path}:2" in str(info.value)


def test_duplicate_ids_and_missing_files(tmp_path: Path) -> None:
    path = _scenario(tmp_path, [_task(1), _task(1)])
    with pytest.raises(BenchError, match="more than once"):
        load_tasks(path)
    with pytest.raises(BenchError, match="init_tasks.py"):
        load_tasks(tmp_path / "Tasks" / "none.jsonl")
    path.write_text(json.dumps(_task(1, substitutions={"nope.txt": {"a": "b"}})) + "\n")
    with pytest.raises(BenchError, match="not a file of its template"):
        prepare_trial_folder(load_tasks(path)[0], tmp_path / "t", RUNTIME)


def test_subsample_is_reproducible_and_keeps_file_order(tmp_path: Path) -> None:
    tasks = load_tasks(_scenario(tmp_path, [_task(i) for i in range(10)]))
    assert parse_subsample("3") == 3 and parse_subsample("0.25") == 0.25 and parse_subsample("1.0") == 1.0
    for bad in ("0", "0.0", "1.5", "-2", "x"):
        with pytest.raises(BenchError, match="--subsample"):
            parse_subsample(bad)
    three = subsample(tasks, 3, seed=0)
    assert len(three) == 3 and three == subsample(tasks, 3, seed=0)
    ids = [t.id for t in three]
    assert ids == sorted(ids, key=lambda i: int(i.split("_")[1]))
    assert len(subsample(tasks, 0.25)) == 3  # 2.5 rounds up
    assert len(subsample(tasks, 0.01)) == 1  # never nothing
    assert len(subsample(tasks, 50)) == 10
    assert subsample(tasks, None) == tasks
    assert {t.id for t in subsample(tasks, 5, seed=1)} != {t.id for t in subsample(tasks, 5, seed=2)}


# ---------------------------------------------------------------------------------------------------- packing


def test_pack_and_unpack_round_trip_writes_trial_json_last(tmp_path: Path) -> None:
    source = tmp_path / "a"
    (source / "coding").mkdir(parents=True)
    (source / "coding" / "x.py").write_text("print(1)\n")
    (source / TRIAL_FILE).write_text("{}")
    (source / "result.json").write_text('{"success": true}')
    data = pack_folder(source)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        assert TRIAL_FILE in archive.getnames()
    target = tmp_path / "b"
    unpack_folder(data, target)
    assert (target / "coding" / "x.py").read_text() == "print(1)\n"
    assert read_trial(target).status == "success"


def test_unpack_refuses_paths_leaving_the_folder(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("../evil.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(BenchError, match="Refusing"):
        unpack_folder(buffer.getvalue(), tmp_path / "t")
    assert not (tmp_path / "evil.txt").exists()


# ---------------------------------------------------------------------------------------------------- progress


def test_progress_plain_lines() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream).start()
    assert not progress.interactive  # a StringIO is no terminal
    progress.finished("T_1 #0", "success", 1.5)
    progress.finished("T_2 #0", "failure", 2.0)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/3] T_1 #0: success (1.5 s) | 1/3 finished, 0 failed, elapsed 00:00, ETA 00:00")
    assert lines[1].startswith("[2/3] T_2 #0: failure (2.0 s) | 2/3 finished, 1 failed")
    assert format_duration(3725) == "1:02:05" and format_duration(None) == "--:--"


def test_progress_bar_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(4, stream, interactive=True).start()
    progress.finished("T_1 #0", "success")
    progress.finished("T_2 #0", "failure")
    progress.note("a message above the bar")
    progress.finished("T_3 #0", "error")
    progress.close()
    text = stream.getvalue()
    assert "0/4" in text and "2/4" in text and "3/4" in text  # tqdm's bar, redrawn in place
    assert "1 failed" in text and "1 errors" in text
    assert "a message above the bar\n" in text and "T_3 #0: error\n" in text
    assert text.endswith("\n")


# ---------------------------------------------------------------------------------------------------- tabulate


def _trial(root: Path, task: str, trial: int, success: bool | None, **result: object) -> None:
    folder = root / task / str(trial)
    folder.mkdir(parents=True)
    (folder / TRIAL_FILE).write_text(json.dumps({"duration_seconds": 10.0 + trial, "exit_code": 0}))
    if success is not None:
        (folder / "result.json").write_text(json.dumps({"success": success, **result}))


@pytest.fixture
def results(tmp_path: Path) -> Path:
    root = tmp_path / "Results" / "demo"
    usage = {"turns": 4, "usage": {"total_tokens": 1000}, "cost": 0.01}
    _trial(root, "Task_10", 0, True, **usage)
    _trial(root, "Task_10", 1, False, **usage)
    _trial(root, "Task_2", 0, True, **usage)
    _trial(root, "Task_2", 1, None)  # crashed before recording: a failure
    (root / "Task_3" / "0").mkdir(parents=True)  # interrupted: missing
    _trial(root, "Task_3", 1, True, turns=6, usage={"total_tokens": 3000}, cost=0.03)
    return root


def test_tabulate_table_totals_and_caution(results: Path) -> None:
    rows = collect(results)
    assert [r.task_id for r in rows] == ["Task_2", "Task_3", "Task_10"]  # natural order
    table = render_table(rows)
    lines = table.splitlines()
    assert lines[0].split() == ["Task", "Id", "Trial", "0", "Success", "Trial", "1", "Success"]  # classic titles
    assert lines[2].split() == ["Task_2", "True", "False"]
    assert lines[3].split() == ["Task_3", "True"]  # trial 0 missing: empty cell
    assert lines[4].split() == ["Task_10", "True", "False"]
    assert lines[6].split() == ["Successes", "2", "1"]
    assert lines[7].split() == ["Failures", "0", "2"]
    assert lines[8].split() == ["Missing", "1", "0"]
    assert lines[9].split() == ["Total", "3", "3"]
    assert lines[-1] == CAUTION


def test_tabulate_metrics_and_csv(results: Path) -> None:
    rows = collect(results)
    table = render_table(rows, metrics=True).splitlines()
    assert table[0].split()[-6:] == ["Time", "(s)", "Turns", "Tokens", "Cost", "($)"]
    assert table[2].split() == ["Task_2", "True", "False", "10.5", "4", "1000", "0.0100"]
    assert table[3].split() == ["Task_3", "True", "11.0", "6", "3000", "0.0300"]
    mean_line = next(line for line in table if line.startswith("Mean per trial"))
    assert mean_line.split()[-4:] == ["10.6", "4.5", "1500", "0.0150"]

    csv_text = render_csv(rows, metrics=True)
    assert csv_text.splitlines() == [
        "Task Id,Trial 0 Success,Trial 1 Success,Time (s),Turns,Tokens,Cost ($)",
        "Task_2,True,False,10.5,4,1000,0.01",
        "Task_3,,True,11,6,3000,0.03",
        "Task_10,True,False,10.5,4,1000,0.01",
    ]
    assert render_csv(rows).splitlines()[0] == "Task Id,Trial 0 Success,Trial 1 Success"


def test_tabulate_command(results: Path) -> None:
    done = run_cli("tabulate", str(results))
    assert done.code == 0 and "Successes" in done.out and CAUTION in done.out
    done = run_cli("tabulate", "-c", "--metrics", str(results))  # -c: the classic short flag
    assert done.code == 0 and done.out.startswith("Task Id,Trial 0 Success,Trial 1 Success,Time (s)")
    assert CAUTION not in done.out and CAUTION in done.err  # the CSV stays machine-readable
    done = run_cli("tabulate", str(results.parent / "nothing"))
    assert done.code == 2 and "No results folder" in done.err


# ---------------------------------------------------------------------------------------------------- config, help


def test_config_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAI_CONFIG_LIST", raising=False)
    with pytest.raises(BenchError, match="No model configuration"):
        load_config()
    monkeypatch.setenv("OAI_CONFIG_LIST", '[{"model": "from-env"}]')
    assert json.loads(load_config()) == [{"model": "from-env"}]
    (tmp_path / "OAI_CONFIG_LIST").write_text('[{"model": "from-file"}]')
    assert json.loads(load_config()) == [{"model": "from-file"}]
    (tmp_path / "other.json").write_text('{"model": "not a list"}')
    with pytest.raises(BenchError, match="non-empty JSON list"):
        load_config("other.json")
    with pytest.raises(BenchError, match="no file"):
        load_config("missing.json")


@pytest.mark.parametrize(
    "command, expected",
    [
        ([], ["clone", "run", "tabulate"]),
        (["clone"], ["--list", "--no-init"]),
        (
            ["run"],
            ["--repeat", "--subsample", "--config", "--requirements", "--docker-image", "--native", "--backend"]
            + ["--ray-address", "--parallel", "--timeout", "--results-dir", "Exit status"],
        ),
        (["tabulate"], ["--csv", "--metrics"]),
    ],
)
def test_help_everywhere(command: list[str], expected: list[str]) -> None:
    done = run_cli(*command, "--help")
    assert done.code == 0
    for word in expected:
        assert word in done.out


def test_console_script_and_no_command() -> None:
    # The script lands next to this interpreter (a venv's bin/ is not necessarily on PATH).
    script = Path(sys.executable).with_name("autogenbench")
    command = str(script) if script.exists() else shutil.which("autogenbench")
    assert command, "the autogenbench console script is not installed"
    done = subprocess.run([command, "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("autogenbench ")
    done = subprocess.run([sys.executable, "-m", "autogenbench"], capture_output=True, text=True)
    assert done.returncode == 2 and "usage: autogenbench" in done.stdout


def test_clone_list_and_clone(tmp_path: Path) -> None:
    done = run_cli("clone", "--list")
    assert done.code == 0
    assert done.out.startswith("HumanEval: OpenAI's HumanEval")

    done = run_cli("clone", "humaneval", "bench")  # names are matched case-insensitively
    assert done.code == 0, done.err
    root = tmp_path / "bench"
    for part in ("README.md", "Scripts/init_tasks.py", "Templates/TwoAgents/scenario.py", "Templates/GroupChat"):
        assert (root / part).exists(), part
    for name in ("human_eval_two_agents", "human_eval_group_chat"):
        lines = (root / "Tasks" / f"{name}.jsonl").read_text().splitlines()
        assert len(lines) == 164
    first = json.loads((root / "Tasks" / "human_eval_two_agents.jsonl").read_text().splitlines()[0])
    assert first["id"] == "HumanEval_0"
    assert first["template"] == ["Templates/Common", "Templates/TwoAgents"]
    assert first["substitutions"]["entry_point.txt"] == {"__ENTRY_POINT__": "has_close_elements"}
    assert not list(root.rglob("__pycache__"))

    assert run_cli("clone", "HumanEval", "bench").code == 2  # never overwrites
    done = run_cli("clone", "NoSuchBench")
    assert done.code == 2 and "Available: HumanEval" in done.err
    done = run_cli("clone", "--no-init", "HumanEval", "bare")
    assert done.code == 0 and not list((tmp_path / "bare" / "Tasks").iterdir())
