#!/usr/bin/env bash
# Set up everything the test suite needs, then run it:   ./scripts/test.sh [extra pytest arguments]
#
# Non-interactive and idempotent. On a fresh Debian machine (as root, or with passwordless sudo) it installs what
# is missing; on a machine that already has everything it only checks and runs. Phases, each timed:
#   1. system packages  apt-get install redis-server / docker.io / debootstrap / chromium, only for binaries not on PATH
#                       (one `apt-get update` first, only when something is installed);
#   2. python           pip install -e ".[test]" (and -e samples/tools/autogenbench, -e samples/apps/autogen-studio
#                       with playwright) into the interpreter
#                       scripts/_common.sh picks: $AUTOGEN_PYTHON,
#                       else the active venv, else the current python3 when pip may install into it, else
#                       <repo>/.venv (a Debian system Python refuses pip installs outside a venv);
#   3. redis            a private redis-server on a free loopback port (scripts/setup_redis.sh), exported to the
#                       tests as AUTOGEN_TEST_REDIS_URL;
#   4. docker           scripts/setup_docker.sh: a running daemon and the locally built python:3-slim image;
#   5. pytest           python -m pytest test -q -ra --timeout=300 "$@"; status 5 (no tests collected) counts as
#                       success;
#   6. matrix           scripts/test_matrix.sh: the LLM-layer tests in fresh venvs at the edges of the supported
#                       versions (Python 3.9 + openai 1.55.3 + pydantic 1; Python 3.13 + newest openai + pydantic 2),
#                       and the vector-store tests on chromadb's oldest supported release (0.5.1);
#                       the venvs are kept under .matrix/ and reused;
#   7. lint             ruff check, ruff format --check, mypy autogen; it runs after the tests so that their output
#                       comes first, and an error in it still fails the run.
#
# Under CI (CI=true, set by .ci/run) a service that cannot be set up fails the run, since CI must test everything;
# on a developer machine it only warns, and the tests that need the service skip.
#
# Cleanup, on any exit: the redis-server started here is shut down and the scratch files removed. dockerd is left
# running on a developer machine (starting it costs time on the next run). Under CI it is stopped again when this
# script started it, so that a CI run leaves no daemon behind; AUTOGEN_KEEP_DOCKERD=1 keeps it.
#
# Knobs: AUTOGEN_PYTHON, AUTOGEN_VENV (see phase 2), AUTOGEN_SKIP_INSTALL=1 (skip phases 1 and 2),
#        AUTOGEN_SKIP_LINT=1, AUTOGEN_SKIP_MATRIX=1, AUTOGEN_KEEP_DOCKERD=1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_common.sh
. scripts/_common.sh
AG_LOG_TAG=test.sh

# No model hub is reachable from test machines: never let a library hang trying to download weights.
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
export TRANSFORMERS_OFFLINE="${TRANSFORMERS_OFFLINE:-1}"

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/autogen-test.XXXXXX")"
SCRIPT_START=$SECONDS
TIMINGS=()
PHASE=""
PHASE_START=0
STARTED_DOCKERD=0

phase() {
    PHASE="$1"
    PHASE_START=$SECONDS
    echo
    echo "=== $PHASE"
}

phase_done() {
    local took=$((SECONDS - PHASE_START))
    TIMINGS+=("$(printf '%-16s %5ss  %s' "$PHASE" "$took" "${1:-ok}")")
    echo "=== $PHASE: ${1:-ok} (${took}s)"
}

# Fail the run under CI, warn otherwise.
ci_fatal() {
    if ag_in_ci; then
        ag_log "ERROR: $*"
        exit 1
    fi
    ag_warn "$*"
}

stop_dockerd_if_ours() {
    [ "$STARTED_DOCKERD" = 1 ] && ag_in_ci && [ "${AUTOGEN_KEEP_DOCKERD:-0}" != 1 ] || return 0
    local pid=""
    pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ] || return 0
    ag_log "stopping dockerd (pid $pid), which this run started"
    ag_as_root kill -TERM "$pid" 2>/dev/null || return 0
    local waited=0
    while [ -e "/proc/$pid" ] && [ "$waited" -lt 30 ]; do
        sleep 1
        waited=$((waited + 1))
    done
}

cleanup() {
    local rc=$?
    trap - EXIT
    if [ "${AUTOGEN_TEST_REDIS_STARTED:-0}" = 1 ]; then
        bash scripts/setup_redis.sh --stop "$AUTOGEN_TEST_REDIS_PORT" || true
    fi
    stop_dockerd_if_ours || true
    rm -rf "$SCRATCH"
    if [ "${#TIMINGS[@]}" -gt 0 ]; then
        echo
        echo "=== timings"
        printf '  %s\n' "${TIMINGS[@]}"
        printf '  %-16s %5ss\n' "total" "$((SECONDS - SCRIPT_START))"
    fi
    # The counts come last, as the run's closing line.
    if [ -n "${COUNTS:-}" ]; then
        echo
        echo "pytest: $COUNTS"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. system packages ------------------------------------------------------------------------------------
if [ "${AUTOGEN_SKIP_INSTALL:-0}" != 1 ]; then
    phase "system packages"
    wanted=()
    command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || wanted+=(redis-server)
    if ! ag_docker_up; then
        command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 || wanted+=(docker.io)
    fi
    command -v debootstrap >/dev/null 2>&1 || wanted+=(debootstrap)
    # AutoGen Studio's browser tests drive Debian's Chromium through Playwright (never `playwright install`).
    [ -x /usr/bin/chromium ] || wanted+=(chromium)
    if [ "${#wanted[@]}" -eq 0 ]; then
        phase_done "all present"
    elif ag_apt_install "${wanted[@]}"; then
        phase_done "installed ${wanted[*]}"
    else
        phase_done "FAILED to install ${wanted[*]}"
        ci_fatal "could not install ${wanted[*]} (run as root, or with passwordless sudo)"
    fi
fi

# --- 2. python ---------------------------------------------------------------------------------------------
phase "python"
PY="$(ag_select_python)" || {
    ag_log "ERROR: no usable Python ${AG_MIN_PYTHON}+ (set AUTOGEN_PYTHON to one)"
    exit 1
}
echo "python: $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"
if [ "${AUTOGEN_SKIP_INSTALL:-0}" != 1 ]; then
    "$PY" -m pip install --disable-pip-version-check -q -e ".[test]"
    # AutoGenBench and AutoGen Studio are packages of their own; their tests import them. Playwright drives
    # Studio's browser tests (with Debian's Chromium).
    for app in samples/tools/autogenbench samples/apps/autogen-studio; do
        [ -f "$app/pyproject.toml" ] && "$PY" -m pip install --disable-pip-version-check -q -e "$app"
    done
    "$PY" -m pip install --disable-pip-version-check -q playwright
    phase_done "pip install -e .[test], the app packages and playwright"
else
    phase_done "install skipped"
fi

# --- 3. redis ----------------------------------------------------------------------------------------------
phase "redis"
if . scripts/setup_redis.sh; then
    phase_done "$AUTOGEN_TEST_REDIS_URL"
else
    phase_done "UNAVAILABLE"
    unset AUTOGEN_TEST_REDIS_URL
    ci_fatal "redis-server could not be started; the Redis tests will skip"
fi

# --- 4. docker ---------------------------------------------------------------------------------------------
phase "docker"
docker_was_up=0
ag_docker_up && docker_was_up=1
docker_ok=0
if [ -f scripts/setup_docker.sh ]; then
    AUTOGEN_PYTHON="$PY" bash scripts/setup_docker.sh && docker_ok=1
elif [ "$docker_was_up" = 1 ]; then
    ag_warn "scripts/setup_docker.sh is missing; using the running daemon as it is"
    docker_ok=1
fi
if [ "$docker_was_up" = 0 ] && ag_docker_up; then
    STARTED_DOCKERD=1
fi
if [ "$docker_ok" = 1 ]; then
    phase_done "ready"
else
    phase_done "UNAVAILABLE"
    ci_fatal "Docker could not be set up (see the messages above); CI must run the Docker tests"
fi

# --- 5. pytest ---------------------------------------------------------------------------------------------
phase "pytest"
junit="$SCRATCH/junit.xml"
pytest_rc=0
"$PY" -m pytest test -q -ra --timeout=300 --junitxml="$junit" "$@" || pytest_rc=$?
if [ "$pytest_rc" -eq 5 ]; then
    echo "pytest collected no tests (exit status 5); that is not an error here"
    pytest_rc=0
fi
COUNTS=""
if [ -s "$junit" ]; then
    # One plain closing line with the counts, read from pytest's own JUnit report.
    COUNTS="$("$PY" - "$junit" <<'PY' || true
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
total = failed = skipped = 0
for s in suites:
    total += int(s.get("tests", 0))
    failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
    skipped += int(s.get("skipped", 0))
print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped")
PY
)"
fi
if [ "$pytest_rc" -eq 0 ]; then
    phase_done "${COUNTS:-passed}"
else
    phase_done "FAILED (exit status $pytest_rc)${COUNTS:+: $COUNTS}"
fi

# --- 6. matrix ---------------------------------------------------------------------------------------------
# The LLM-layer tests at the edges of the supported versions (oldest/newest openai and Python, pydantic 1 and 2),
# and the vector stores on the oldest chromadb, each in a venv with only the core dependencies and the cell's pins;
# the venvs are kept under .matrix/ for the next run.
matrix_rc=0
if [ "${AUTOGEN_SKIP_MATRIX:-0}" != 1 ]; then
    phase "matrix"
    bash scripts/test_matrix.sh || matrix_rc=$?
    if [ "$matrix_rc" -eq 0 ]; then phase_done; else phase_done "FAILED (exit status $matrix_rc)"; fi
fi

# --- 7. lint -----------------------------------------------------------------------------------------------
lint_rc=0
if [ "${AUTOGEN_SKIP_LINT:-0}" != 1 ]; then
    phase "lint"
    targets=()
    for t in autogen test samples bench; do
        [ -e "$t" ] && targets+=("$t")
    done
    "$PY" -m ruff check "${targets[@]}" || lint_rc=$?
    "$PY" -m ruff format --check --quiet "${targets[@]}" || lint_rc=$?
    "$PY" -m mypy autogen || lint_rc=$?  # the package's types (users' tools read them: py.typed)
    if [ "$lint_rc" -eq 0 ]; then phase_done; else phase_done "FAILED (exit status $lint_rc)"; fi
fi

if [ "$pytest_rc" -ne 0 ]; then
    ag_log "tests failed (pytest exit status $pytest_rc)"
    exit "$pytest_rc"
fi
if [ "$matrix_rc" -ne 0 ]; then
    ag_log "the supported-versions matrix failed (scripts/test_matrix.sh)"
    exit 1
fi
if [ "$lint_rc" -ne 0 ]; then
    ag_log "lint failed (ruff / ruff format / mypy, exit status $lint_rc)"
    exit 1
fi
ag_log "all good"
