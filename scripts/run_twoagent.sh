#!/usr/bin/env bash
# Set up and run the two-agent sample:   ./scripts/run_twoagent.sh [--message "..."] [other samples/twoagent.py options]
#
#   1. picks a Python (the active venv, else the current python3 when pip may install into it, else <repo>/.venv,
#      created on first use; AUTOGEN_PYTHON overrides) and runs `pip install -e <repo>` into it;
#   2. checks that a model is configured (OAI_CONFIG_LIST, else OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL)
#      and stops with a message saying what to set when none is;
#   3. unless AUTOGEN_USE_DOCKER=False, makes sure Docker is usable (scripts/setup_docker.sh, which needs root or
#      passwordless sudo when the daemon is not running yet), since the assistant's code runs in a container;
#   4. runs python samples/twoagent.py with the arguments given to this script.
# Idempotent: a second run only checks. It never asks questions.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"
AG_LOG_TAG=run_twoagent

PY="$(ag_select_python)" || {
    ag_log "ERROR: no usable Python ${AG_MIN_PYTHON}+ was found (set AUTOGEN_PYTHON to one)"
    exit 1
}
ag_log "installing the package into $PY"
"$PY" -m pip install --disable-pip-version-check -q -e "$AG_REPO_ROOT"

sample="$AG_REPO_ROOT/samples/twoagent.py"
# Fails with a message naming what to set when no model is configured.
"$PY" "$sample" --check-config

if ag_docker_wanted && ! ag_docker_up; then
    ag_log "code execution uses Docker, and no Docker daemon answers: setting it up"
    if ! bash "$AG_REPO_ROOT/scripts/setup_docker.sh"; then
        ag_log "ERROR: Docker could not be set up. Either start Docker yourself, or run the model's code on this"
        ag_log "machine instead: AUTOGEN_USE_DOCKER=False ./scripts/run_twoagent.sh"
        exit 1
    fi
fi

exec "$PY" "$sample" "$@"
