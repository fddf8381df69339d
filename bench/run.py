"""AutoGen's performance benchmarks.

Every figure is measured in one run against a local OpenAI-compatible server that
answers instantly, and reported next to its ratio to the floor: a bare openai SDK call
with a two-message history, measured in the same run. Ratios hold on a noisy machine
where absolute times do not.

    python bench/run.py            # full run (a few minutes)
    python bench/run.py --quick    # a smoke run with few repetitions
    python bench/run.py --only import,two_agent
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
# With --classic the installed autogen (pyautogen 0.2.35 in compare.py's venv) is measured instead of this tree.
CLASSIC = "--classic" in sys.argv
if not CLASSIC:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "test"))

from llm_server import LLMServer  # noqa: E402


@dataclass
class Row:
    name: str
    value: float  # seconds, or the unit given
    unit: str = "ms"
    target: Optional[float] = None  # in the row's unit
    classic: str = ""
    ratio: Optional[float] = None  # to the bare SDK call
    target_ratio: Optional[float] = None  # the target expressed as a ratio to the bare call
    higher_is_better: bool = False

    @property
    def met(self) -> Optional[bool]:
        if self.target_ratio is not None and self.ratio is not None:
            return self.ratio <= self.target_ratio
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def median_time(fn: Callable[[], Any], repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(first: Callable[[], float], second: Callable[[], float], repeat: int) -> tuple[float, float]:
    """The medians of ``repeat`` seconds figures from each function, taken in turns so that a busy spell of the
    machine falls on both."""
    firsts, seconds = [], []
    for _ in range(repeat):
        firsts.append(first())
        seconds.append(second())
    return statistics.median(firsts), statistics.median(seconds)


def median_wall_and_cpu(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[float, float]:
    """The median wall-clock time and the median CPU time of this process (all its threads) of ``fn()``."""
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus)


class Bench:
    """Holds the server and the floor; each scenario is a method returning rows."""

    # The classic figures and targets, in ms unless said otherwise; the floor was 2.5 ms.
    FLOOR_CLASSIC_MS = 2.5

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.server = LLMServer().start()
        self.floor: float = 0.0
        self.sdk_call: Callable[[], Any] = lambda: None
        self.workdir = Path(tempfile.mkdtemp(prefix="autogen-bench-"))
        os.chdir(self.workdir)

    def close(self) -> None:
        self.server.stop()
        os.chdir(ROOT)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def n(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def llm_config(self, **extra: Any) -> dict[str, Any]:
        return self.server.llm_config(**extra)

    def ratio_row(self, name: str, seconds: float, classic_ms: float, target_ms: float) -> Row:
        # A target of T ms where the classic floor was 2.5 ms is a target ratio of T / 2.5.
        return Row(
            name,
            seconds * 1000,
            target=target_ms,
            classic=f"{classic_ms:g} ms",
            ratio=seconds / self.floor,
            target_ratio=target_ms / self.FLOOR_CLASSIC_MS,
        )

    # ----------------------------------------------------------------- scenarios
    def import_time(self) -> list[Row]:
        # As users run it: with byte-code caching on (some machines set PYTHONDONTWRITEBYTECODE), warmed once.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cwd = ROOT
        if CLASSIC:  # the installed package, not this tree
            env.pop("PYTHONPATH", None)
            cwd = self.workdir

        def fresh(statement: str) -> float:
            code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
            subprocess.check_output([sys.executable, "-c", code], cwd=cwd, env=env)
            runs = [
                float(subprocess.check_output([sys.executable, "-c", code], cwd=cwd, env=env, text=True))
                for _ in range(self.n(7, 3))
            ]
            return min(runs) * 1000

        # `import autogen` resolves names lazily; what a script really pays is the import plus the names it uses.
        used = (
            "import autogen; autogen.ConversableAgent; autogen.AssistantAgent; autogen.UserProxyAgent; "
            "autogen.GroupChat; autogen.GroupChatManager; autogen.config_list_from_json"
        )
        return [
            Row("import autogen (fresh process)", fresh("import autogen"), target=250, classic="1150 ms"),
            Row("import autogen + the agent and group chat classes", fresh(used), target=250, classic="1150 ms"),
        ]

    def bare_sdk_call(self) -> list[Row]:
        import openai

        client = openai.OpenAI(base_url=self.server.base_url, api_key="test", max_retries=0)
        messages = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "hi"}]
        self.sdk_call = lambda: client.chat.completions.create(model="gpt-4", messages=messages)
        self.floor = median_time(self.sdk_call, self.n(200, 40), warmup=10)
        return [Row("bare openai SDK call, 2 messages (the floor)", self.floor * 1000, classic="2.5 ms", ratio=1.0)]

    def floor_beside(self, run: Callable[[], float], repeat: int) -> tuple[float, float]:
        """(the floor, ``run()``'s seconds) as medians of measurements taken in turns: a row whose ratio decides a
        target is read against the floor of the same minutes, not of the start of the run."""
        calls = self.n(20, 10)

        def floor() -> float:
            start = time.perf_counter()
            for _ in range(calls):
                self.sdk_call()
            return (time.perf_counter() - start) / calls

        return interleaved_medians(floor, run, repeat)

    def _two_agents(self, cache_seed: Any = None) -> tuple[Any, Any]:
        import autogen

        assistant = autogen.ConversableAgent(
            "assistant", llm_config=self.llm_config(cache_seed=cache_seed), human_input_mode="NEVER"
        )
        user = autogen.ConversableAgent(
            "user", llm_config=False, human_input_mode="NEVER", default_auto_reply="go on", code_execution_config=False
        )
        return assistant, user

    def two_agent(self) -> list[Row]:
        from autogen.io import IOStream

        turns = self.n(50, 10)
        assistant, user = self._two_agents()
        self.server.responder = lambda body: "working on it"

        def chat() -> float:
            start = time.perf_counter()
            user.initiate_chat(assistant, message="hello", max_turns=turns, silent=True)
            return (time.perf_counter() - start) / turns

        with IOStream.set_default(_Silent()):
            chat()
            floor, per_turn = self.floor_beside(chat, self.n(9, 3))
        row = self.ratio_row("two-agent chat, per turn (one LLM call)", per_turn, 20, 1.25)
        row.ratio = per_turn / floor
        rows = [row, Row("  (the floor measured in turns with it)", floor * 1000, ratio=1.0)]

        # the same chat served entirely from the cache
        cached_assistant, cached_user = self._two_agents(cache_seed=4242)
        with IOStream.set_default(_Silent()):
            cached_user.initiate_chat(cached_assistant, message="hello", max_turns=turns, silent=True)  # fill
            requests_before = len(self.server.requests)
            per_turn_cached = (
                median_time(
                    lambda: cached_user.initiate_chat(cached_assistant, message="hello", max_turns=turns, silent=True),
                    self.n(5, 2),
                    warmup=1,
                )
                / turns
            )
        assert len(self.server.requests) == requests_before, "cached chat reached the server"
        rows.append(self.ratio_row("the same chat from the cache, per turn", per_turn_cached, 1.6, 0.5))
        self.server.responder = None
        return rows

    def history_growth(self) -> list[Row]:
        """Per-turn cost with 2,000 messages of history against a fresh chat.

        What grows with the history on our side is building and encoding the request; the model server
        then reads and parses it, which a real model does on its own machine. The history is made by the agents
        (messages sent between them before the timed turns), as in a conversation that ran 2,000 turns. So the server runs in its
        own process here and the figure is the CPU time of this process per turn (the framework's cost).
        The wall-clock ratio, with the server's parsing of the longer request in it, is shown too.
        """
        import autogen
        from autogen.io import IOStream

        turns = self.n(20, 6)
        with _ServerProcess(delay=0.0) as base_url:
            config = {"config_list": [{"model": "gpt-4", "base_url": base_url, "api_key": "test"}], "cache_seed": None}

            def chat_at(history: int) -> Callable[[], None]:
                assistant = autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER")
                user = autogen.ConversableAgent(
                    "user", llm_config=False, human_input_mode="NEVER", default_auto_reply="go on",
                    code_execution_config=False,
                )  # fmt: skip
                # the conversation so far, stored by the agents as they store every message they exchange
                for i in range(history):
                    sender, receiver = (user, assistant) if i % 2 == 0 else (assistant, user)
                    sender.send(f"message number {i} " + "x" * 200, receiver, request_reply=False, silent=True)
                as_user, as_assistant = list(user._oai_messages[assistant]), list(assistant._oai_messages[user])

                def run() -> None:
                    # the same prefilled history before every run, so each run measures turns at this length,
                    # made of the same message objects, as a conversation's history is from one turn to the next
                    user._oai_messages[assistant] = list(as_user)
                    assistant._oai_messages[user] = list(as_assistant)
                    user.initiate_chat(assistant, message="continue", max_turns=turns, clear_history=False, silent=True)

                return run

            start, late = chat_at(2), chat_at(HISTORY_LENGTH)
            samples: dict[str, list[float]] = {"start_wall": [], "start_cpu": [], "late_wall": [], "late_cpu": []}
            with IOStream.set_default(_Silent()):
                start()
                late()
                for _ in range(self.n(9, 3)):  # alternating, so that a busy spell of the machine hits both
                    for name, run in (("start", start), ("late", late)):
                        wall, cpu = median_wall_and_cpu(run, 1, warmup=0)
                        samples[f"{name}_wall"].append(wall)
                        samples[f"{name}_cpu"].append(cpu)
            start_wall, start_cpu, late_wall, late_cpu = (
                statistics.median(samples[k]) for k in ("start_wall", "start_cpu", "late_wall", "late_cpu")
            )
        return [
            Row(
                f"per-turn CPU time of the framework at {HISTORY_LENGTH:,} messages / at the start",
                late_cpu / start_cpu,
                unit="x",
                target=2.0,
                classic="about 10x",
            ),
            Row(
                "  (the same in wall-clock time, the model server's parsing included)",
                late_wall / start_wall,
                unit="x",
            ),
        ]

    def _group(self, method: str, size: int = 8) -> tuple[Any, Any]:
        import autogen

        agents = [
            autogen.ConversableAgent(
                f"agent{i}",
                llm_config=self.llm_config(),
                human_input_mode="NEVER",
                description=f"Agent number {i}, expert in topic {i}.",
            )
            for i in range(size)
        ]
        chat = autogen.GroupChat(agents=agents, messages=[], max_round=self.n(20, 6), speaker_selection_method=method)
        manager = autogen.GroupChatManager(chat, llm_config=self.llm_config())
        return agents, manager

    def group_chat(self) -> list[Row]:
        from autogen.io import IOStream

        rows = []
        size = 8
        for method, classic, target in (("auto", 52, 12), ("round_robin", 7.5, 3)):
            agents, manager = self._group(method, size)
            counter = {"n": 0}

            def respond(body: dict[str, Any], counter: dict[str, int] = counter) -> str:
                text = json.dumps(body.get("messages", [])[-1:])
                if "agent0" in text and "agent7" in text:  # a selection prompt lists the candidates
                    counter["n"] += 1
                    return f"agent{counter['n'] % size}"
                return "my contribution"

            self.server.responder = respond
            # the first round is the opening message; each later one is a reply (and, with "auto", a selection)
            rounds = manager.groupchat.max_round - 1

            def run(agents: Any = agents, manager: Any = manager) -> None:
                agents[0].initiate_chat(manager, message="Let us discuss.", silent=True)

            with IOStream.set_default(_Silent()):
                self.server.reset()
                self.server.responder = respond
                run()
                calls = len(self.server.chat_requests())
                assert CLASSIC or calls == rounds * (2 if method == "auto" else 1), (
                    f"{method}: {calls} LLM calls in {rounds} rounds"
                )
                per_round = median_time(run, self.n(5, 2), warmup=0) / rounds
            rows.append(self.ratio_row(f'group chat of 8, "{method}", per round', per_round, classic, target))
        self.server.responder = None
        return rows

    def tool_call(self) -> list[Row]:
        import autogen
        from autogen.io import IOStream

        assistant = autogen.ConversableAgent("assistant", llm_config=self.llm_config(), human_input_mode="NEVER")
        user = autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER", code_execution_config=False)

        def add(a: int, b: int) -> int:
            return a + b

        autogen.register_function(add, caller=assistant, executor=user, name="add", description="Add two numbers.")
        rounds = self.n(20, 5)
        state = {"i": 0}

        def respond(body: dict[str, Any]) -> Any:
            state["i"] += 1
            return {"tool_calls": [{"name": "add", "arguments": {"a": state["i"], "b": 1}}]}

        self.server.responder = respond
        with IOStream.set_default(_Silent()):
            per_trip = (
                median_time(
                    lambda: user.initiate_chat(assistant, message="add things", max_turns=rounds, silent=True),
                    self.n(5, 2),
                    warmup=1,
                )
                / rounds
            )
        self.server.responder = None
        return [self.ratio_row("tool call round trip (call, execute, result)", per_trip, 15, 5)]

    def code_execution(self) -> list[Row]:
        """A local code block through the agent (UserProxyAgent.generate_reply) against a bare subprocess.

        Between blocks the agent would wait on the model; the bench pauses ``MODEL_WAIT`` seconds there
        (not timed), which is when the executor starts its next spare interpreter.
        """
        import autogen
        from autogen.io import IOStream

        repeat = self.n(15, 4)
        user = autogen.UserProxyAgent(
            "user",
            human_input_mode="NEVER",
            code_execution_config={"work_dir": str(self.workdir / "code"), "use_docker": False},
        )
        sender = autogen.ConversableAgent("assistant", llm_config=False, human_input_mode="NEVER")

        def paused(fn: Callable[[], Any]) -> Callable[[], Any]:
            def run() -> Any:
                time.sleep(MODEL_WAIT)
                start = time.perf_counter()
                fn()
                return time.perf_counter() - start

            return run

        rows = []
        for lang, bare_argv, code, classic in (
            ("python", [sys.executable, "-c", "pass"], "print(1)", "about 3x"),
            ("bash", ["bash", "-c", "true"], "echo 1", "n/a"),
        ):
            message = [{"role": "user", "content": f"```{lang}\n{code}\n```", "name": "assistant"}]
            bare_run = paused(lambda argv=bare_argv: subprocess.run(argv, capture_output=True, check=True))
            block_run = paused(lambda message=message: user.generate_reply(messages=message, sender=sender))
            with IOStream.set_default(_Silent()):
                block_run()  # the first block starts its process on the spot, and the first spare
                bare, block = interleaved_medians(bare_run, block_run, repeat)
            rows += [
                Row(f"bare `{Path(bare_argv[0]).name} {' '.join(bare_argv[1:])}` subprocess", bare * 1000),
                Row(
                    f"{lang} code block run locally through the agent, / bare subprocess",
                    block / bare,
                    unit="x",
                    target=0.5,
                    classic=classic,
                ),
            ]  # fmt: skip
        return rows

    def docker_execution(self) -> list[Row]:
        """A code block through the Docker executor (one warm container) against a bare exec into it."""
        try:
            import docker

            client = docker.from_env()
            client.ping()
        except Exception as exc:  # no SDK or no daemon: say so in the table
            return [Row(f"docker code block (skipped: {type(exc).__name__})", 0.0)]
        from autogen.coding import CodeBlock, DockerCommandLineCodeExecutor

        repeat = self.n(15, 4)
        with DockerCommandLineCodeExecutor(image="python:3-slim", work_dir=self.workdir / "docker") as executor:
            container = client.containers.get(executor.container_name)
            blocks = [CodeBlock(code="print(1)", language="python")]

            def bare() -> None:
                assert container.exec_run(["python", "-c", "print(1)"]).exit_code == 0

            def block() -> None:
                assert executor.execute_code_blocks(blocks).exit_code == 0

            bare(), block()
            bare_s, block_s = interleaved_medians(
                lambda: median_time(bare, 1, warmup=0), lambda: median_time(block, 1, warmup=0), repeat
            )
        return [
            Row("bare `docker exec` of python -c print(1) into a running container", bare_s * 1000),
            Row("docker code block (warm container), / bare docker exec", block_s / bare_s, unit="x", target=1.2),
        ]

    def jupyter_execution(self) -> list[Row]:
        """Per-block latency of the Jupyter executor with its kernel kept warm."""
        try:
            from autogen.coding import CodeBlock
            from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor

            executor = EmbeddedIPythonCodeExecutor(output_dir=self.workdir / "jupyter")
        except Exception as exc:  # the jupyter extra is not installed
            return [Row(f"jupyter code block (skipped: {type(exc).__name__}: {exc})", 0.0)]
        blocks = [CodeBlock(code="print(1)", language="python")]
        try:
            per_block = median_time(lambda: executor.execute_code_blocks(blocks), self.n(20, 5), warmup=2)
        finally:
            executor.stop()
        return [Row("jupyter code block, kernel warm, per block", per_block * 1000, classic="n/a")]

    def first_reply(self) -> list[Row]:
        """A fresh process that imports autogen, builds two agents and gets one reply from the local server:
        what every script and CLI run pays. Timed inside the process, from before the import to the reply."""
        times = [self._first_reply_once() for _ in range(self.n(5, 2) + 1)][1:]
        return [Row("time to first reply (fresh process: import, two agents, one reply)", min(times) * 1000)]

    def _first_reply_once(self) -> float:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
        env["PYTHONPATH"] = "" if CLASSIC else str(ROOT)
        env["AUTOGEN_USE_DOCKER"] = "False"
        out = subprocess.check_output(
            [sys.executable, "-c", FIRST_REPLY_SCRIPT, self.server.base_url], cwd=self.workdir, env=env, text=True,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return float(out.strip().splitlines()[-1])

    def concurrency(self) -> list[Row]:
        """1,000 concurrent a_initiate_chat of 5 turns against a model answering in 100 ms (in its own process).

        Measured in a fresh process, as a script running 1,000 chats is: inside this one the other rows' heaps
        would make every garbage collection walk their objects too (the row read about two thirds).
        Effective concurrency is the model time of all turns over the wall time. Memory per chat in flight is
        what tracemalloc sees allocated at the peak of a second run, beyond the agents built before it, per chat.
        """
        if os.environ.get(_IN_CHILD):
            return self._concurrency_here()
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            out = Path(f.name)
        argv = [sys.executable, str(Path(__file__).resolve()), "--only", "concurrency", "--json", str(out)]
        argv += ["--classic"] * CLASSIC + ["--quick"] * self.quick
        try:
            # its exit status says whether the rows met their targets; no rows at all means it failed
            done = subprocess.run(argv, env={**os.environ, _IN_CHILD: "1"}, cwd=self.workdir, stdout=subprocess.DEVNULL)
            if not out.stat().st_size:
                raise RuntimeError(f"the concurrency child process failed (exit status {done.returncode})")
            fields = {"name", "value", "unit", "target", "classic", "higher_is_better"}
            return [Row(**{k: v for k, v in row.items() if k in fields}) for row in json.loads(out.read_text())]
        finally:
            out.unlink(missing_ok=True)

    def _concurrency_here(self) -> list[Row]:
        import autogen
        from autogen.io import IOStream

        chats, turns, latency = self.n(1000, 100), 5, 0.1
        with _ServerProcess(delay=latency) as base_url:
            config = {"config_list": [{"model": "gpt-4", "base_url": base_url, "api_key": "test"}], "cache_seed": None}

            def make_pairs(n: int) -> list[tuple[Any, Any]]:
                return [
                    (
                        autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER"),
                        autogen.ConversableAgent(
                            "user", llm_config=False, human_input_mode="NEVER", default_auto_reply="go on",
                            code_execution_config=False,
                        ),
                    )
                    for _ in range(n)
                ]  # fmt: skip

            async def main(pairs: list[tuple[Any, Any]], turns: int) -> None:
                await asyncio.gather(
                    *(u.a_initiate_chat(a, message="go", max_turns=turns, silent=True) for a, u in pairs)
                )

            with IOStream.set_default(_Silent()):
                # once per process, not per chat: imports, the pooled SDK client, the request route
                asyncio.run(main(make_pairs(1), 1))
                pairs = make_pairs(chats)  # new agents: each builds its client within the run
                cpu, start = time.process_time(), time.perf_counter()
                asyncio.run(main(pairs, turns))
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                effective = chats * turns * latency / wall
                ceiling = chats * turns * latency / _bare_aiohttp_wall(base_url, chats, turns)
                del pairs
                gc.collect()
                pairs = make_pairs(chats)
                gc.collect()
                tracemalloc.start()
                before = tracemalloc.get_traced_memory()[0]
                asyncio.run(main(pairs, turns))
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        return [
            Row(
                f"{chats} concurrent a_initiate_chat, {turns} turns, 100 ms model: effective concurrency",
                effective,
                unit=f"of {chats}",
                target=300 if chats >= 1000 else chats * 0.6,
                classic="about 5 of 100",
                higher_is_better=True,
            ),
            Row("  (the same: CPU time of this process per turn)", cpu / (chats * turns) * 1000),
            Row(
                "  the same requests from bare aiohttp (the ceiling on this machine)",
                ceiling,
                unit=f"of {chats}",
            ),
            Row(
                "  memory per chat in flight, beyond its agents (tracemalloc peak)",
                (peak - before) / chats / 1e3,
                unit="KB",
                target=50,
            ),
        ]

    def run_chats(self) -> list[Row]:
        from autogen.scale import run_chats

        chats, latency = self.n(200, 40), 0.1
        with _ServerProcess(delay=latency) as base_url:
            specs = _short_chats(base_url, chats)
            run_chats(specs[:2], backend="local", progress=False)  # warm up: the async client and its imports
            one_by_one = _one_after_another(specs)
            start = time.perf_counter()
            batch = run_chats(specs, backend="local", progress=False)
            together = time.perf_counter() - start
        assert not batch.failures, batch.failures[0].error
        return [
            Row(f"{chats} short chats, 100 ms model, one after another", one_by_one * 1000),
            Row(f"{chats} short chats, 100 ms model, run_chats (local)", together * 1000),
            Row(
                f"{chats} short chats, 100 ms model: run_chats (local) speed-up over one after another",
                one_by_one / together,
                unit="x",
                target=20,
                classic="n/a",
                higher_is_better=True,
            ),
        ]

    def ray(self) -> list[Row]:
        """400 one-turn chats at 1 s model latency on a 2-CPU local Ray cluster, started and warmed beforehand.

        One after another they would take 400 s, so that figure is a sample of chats run one after another in this
        process, scaled to the batch. The per-chat CPU costs are what docs/state-and-scale.md scales up from.
        """
        import psutil
        import ray

        from autogen.scale import RayChatPool, run_chats

        chats, sample, latency = self.n(400, 100), self.n(8, 3), 1.0
        with _ServerProcess(delay=latency) as base_url:
            specs = _short_chats(base_url, chats)
            one_by_one = _one_after_another(specs[:sample]) / sample * chats
            os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
            ray.init(
                num_cpus=2,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
            )
            try:
                with RayChatPool(chats_per_worker=chats) as pool:  # startup excluded: workers up and warm first
                    pool.wait_ready()
                    run_chats(specs[:4], backend="ray", ray_pool=pool, progress=False)
                    workers = [psutil.Process(w.where["pid"]) for w in pool.workers]
                    worker_cpu = sum(sum(p.cpu_times()[:2]) for p in workers)
                    driver_cpu, start = time.process_time(), time.perf_counter()
                    batch = run_chats(specs, backend="ray", ray_pool=pool, progress=False)
                    together = time.perf_counter() - start
                    driver_cpu = time.process_time() - driver_cpu
                    worker_cpu = sum(sum(p.cpu_times()[:2]) for p in workers) - worker_cpu
            finally:
                ray.shutdown()
        assert not batch.failures, batch.failures[0].error
        return [
            Row(f"ray: {chats} one-turn chats, 1 s model, one after another (from {sample})", one_by_one * 1000),
            Row(f"ray: {chats} one-turn chats, 1 s model, run_chats (ray, 2 CPUs)", together * 1000),
            Row("ray: worker CPU per chat", worker_cpu / chats * 1000),
            Row("ray: driver CPU per chat", driver_cpu / chats * 1000),
            Row(
                f"ray: {chats} one-turn chats, 1 s model: speed-up of run_chats (ray) over one after another",
                one_by_one / together,
                unit="x",
                target=40,
                classic="n/a",
                higher_is_better=True,
            ),
        ]

    def agent_creation(self) -> list[Row]:
        import autogen

        count = self.n(1000, 200)
        config = self.llm_config()
        autogen.ConversableAgent("warm", llm_config=config)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        agents = [autogen.ConversableAgent(f"a{i}", llm_config=config) for i in range(count)]
        elapsed = time.perf_counter() - start
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        # tracemalloc slows allocation; time again without it for the time figure
        del agents
        gc.collect()
        start = time.perf_counter()
        agents = [autogen.ConversableAgent(f"b{i}", llm_config=config) for i in range(count)]
        elapsed = time.perf_counter() - start
        assert len(agents) == count
        return [
            Row("create an agent with an llm_config, time each", elapsed / count * 1000, target=1.0, classic="34 ms"),
            Row(
                "create an agent with an llm_config, memory each",
                (after - before) / count / 1e6,
                unit="MB",
                target=0.05,
                classic="0.8 MB",
            ),
        ]


HISTORY_LENGTH = 2000
MODEL_WAIT = 0.3  # seconds an agent waits on the model between two code blocks (untimed)

FIRST_REPLY_SCRIPT = """
import sys, time
start = time.perf_counter()
import autogen
config = {"config_list": [{"model": "gpt-4", "base_url": sys.argv[1], "api_key": "test"}], "cache_seed": None}
assistant = autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER")
user = autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER", code_execution_config=False)
reply = assistant.generate_reply(messages=[{"role": "user", "content": "hi"}], sender=user)
assert reply, reply
print(time.perf_counter() - start)
"""


class _ServerProcess:
    """The stand-in model (``bench/model_server.py``) in a child process, answering every request after
    ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.process: Optional[subprocess.Popen[str]] = None

    def __enter__(self) -> str:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "model_server.py"), str(self.delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def __exit__(self, *exc: Any) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def _bare_aiohttp_wall(base_url: str, clients: int, each: int) -> float:
    """Wall time of ``clients`` concurrent bare aiohttp clients, ``each`` chat requests one after another, on a
    fresh loop and session (as a fresh ``asyncio.run`` of chats has): what no framework on this HTTP client can
    beat on this machine."""
    import aiohttp

    url = base_url + "/chat/completions"
    headers = {"Content-Type": "application/json", "Authorization": "Bearer test"}
    body = json.dumps({"model": "gpt-4", "messages": [{"role": "user", "content": "go"}]}).encode()

    async def client(session: aiohttp.ClientSession) -> None:
        for _ in range(each):
            async with session.post(url, data=body, headers=headers) as response:
                json.loads(await response.read())

    async def main() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000)) as session:
            await asyncio.gather(*(client(session) for _ in range(clients)))

    asyncio.run(main())  # imports and first-use costs out of the figure
    start = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - start


def _short_chats(base_url: str, count: int) -> list[Any]:
    """The specs of ``count`` one-turn chats against the server at ``base_url``."""
    from autogen.scale import ChatSpec

    return [
        ChatSpec(
            _bench_pair,
            message=f"task {i}",
            chat_kwargs={"max_turns": 1, "silent": True},
            factory_args={"base_url": base_url},
        )
        for i in range(count)
    ]


def _one_after_another(specs: list[Any]) -> float:
    """Seconds to run the chats of ``specs`` one after another in this process."""
    from autogen.io import IOStream
    from autogen.scale.spec import build_agents

    with IOStream.set_default(_Silent()):
        start = time.perf_counter()
        for spec in specs:
            user, assistant = build_agents(spec)
            user.initiate_chat(assistant, message=spec.message, **spec.chat_kwargs)
        return time.perf_counter() - start


def _bench_pair(base_url: str) -> tuple[Any, Any]:
    """The agents of one short chat of the run_chats scenario (a module-level factory, as run_chats needs)."""
    import autogen

    config = {"config_list": [{"model": "gpt-4", "base_url": base_url, "api_key": "test"}], "cache_seed": None}
    assistant = autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER")
    user = autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER", code_execution_config=False)
    return user, assistant


# Set in the environment of a child process that measures one scenario for its parent (see Bench.concurrency).
_IN_CHILD = "AUTOGEN_BENCH_CHILD"


class _Silent:
    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        pass

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        return ""


SCENARIOS = [
    "import_time",
    "bare_sdk_call",
    "two_agent",
    "history_growth",
    "group_chat",
    "tool_call",
    "first_reply",
    "code_execution",
    "docker_execution",
    "jupyter_execution",
    "concurrency",
    "agent_creation",
    "run_chats",
    "ray",
]


def format_rows(rows: list[Row]) -> str:
    lines = [f"{'what':<74} {'ours':>14} {'x floor':>8} {'target':>10} {'classic':>16}  ok"]
    for r in rows:
        value = f"{r.value:.3f} {r.unit}" if r.unit != "ms" else f"{r.value:.2f} ms"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        if r.target_ratio is not None:
            target = f"<={r.target_ratio:.1f}x"
        elif r.target is not None:
            target = (">=" if r.higher_is_better else "<=") + f"{r.target:g}"
        else:
            target = ""
        ok = {True: "yes", False: "NO", None: ""}[r.met]
        lines.append(f"{r.name:<74} {value:>14} {ratio:>8} {target:>10} {r.classic:>16}  {ok}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few repetitions (a smoke run)")
    parser.add_argument("--only", default="", help="comma-separated scenario names: " + ",".join(SCENARIOS))
    parser.add_argument("--json", help="also write the rows to this JSON file")
    parser.add_argument("--classic", action="store_true", help="measure the installed autogen, not this tree")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.only or s in args.only.split(",")]
    if "bare_sdk_call" not in chosen and not os.environ.get(_IN_CHILD):
        chosen.insert(0, "bare_sdk_call")  # every ratio needs the floor (a child measuring one row for us does not)
    bench = Bench(quick=args.quick)
    rows: list[Row] = []
    try:
        for name in ["import_time", "bare_sdk_call", *[c for c in chosen if c not in ("import_time", "bare_sdk_call")]]:
            if name not in chosen:
                continue
            rows.extend(getattr(bench, name)())
    finally:
        bench.close()
    print(format_rows(rows))
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ | {"met": r.met} for r in rows], indent=2))
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
