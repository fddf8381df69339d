#!/usr/bin/env bash
# The supported-versions matrix: tests in fresh venvs at the edges of what pyproject.toml declares.
#
#   ./scripts/test_matrix.sh                      # the CI cells (below)
#   ./scripts/test_matrix.sh 3.11:openai==1.80.0 3.12:openai==2.16.0   # other cells: PYTHON:REQUIREMENT[,REQ...]
#   ./scripts/test_matrix.sh '3.11:chromadb==0.6.3,numpy<2@vectordb'  # a cell of another test group
#
# Test groups (a cell's "@GROUP", default llm):
#   llm       the LLM layer: wrapper (chat, tools, streaming, async, fallback, cache, cost, the direct transport),
#             the loop-stall and deadline checks, agents chatting with tools through the real SDK
#   vectordb  the vector stores and retrieve_utils (chromadb's oldest supported release)
# CI cells (scripts/test.sh runs them after the main suite):
#   oldest   Python 3.9,  openai 1.55.3 (the declared floor), pydantic 1.x
#   newest   Python 3.13, the newest openai pip finds,         pydantic 2.x
#   chromadb Python 3.11, chromadb 0.5.1 (the declared floor; the newest is in the main suite's environment)
# Each venv holds only the core dependencies, pytest and the cell's pins, and is kept under $AUTOGEN_MATRIX_DIR
# (default: <repo>/.matrix) keyed by its pins, so a second run reuses it; the Python is found through pyenv
# (`pyenv root`/versions/X.Y.*) or as pythonX.Y on PATH. A cell whose Python is missing fails under CI and is
# skipped with a warning elsewhere.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_common.sh
. scripts/_common.sh
AG_LOG_TAG=test_matrix.sh

MATRIX_DIR="${AUTOGEN_MATRIX_DIR:-$PWD/.matrix}"
LLM_TESTS=(
    test/oai
    test/agentchat/test_agent_llm.py
    test/agentchat/test_agent_tools.py
)
VECTORDB_TESTS=(
    test/agentchat/contrib/vectordb
    test/test_retrieve_utils.py
)
# chromadb 0.5.x was built against numpy 1 (np.float_): its cell pins numpy<2, as its users' environments have it;
# beautifulsoup4 and markdownify for retrieve_utils' URL and HTML tests.
DEFAULT_CELLS=(
    "3.9:openai==1.55.3,pydantic<2"
    "3.13:openai,pydantic>=2"
    "3.11:chromadb==0.5.1,numpy<2,beautifulsoup4,markdownify@vectordb"
)

find_python() {
    local want="$1" root candidate
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root)"
        for candidate in "$root"/versions/"$want".*/bin/python; do
            [ -x "$candidate" ] && { echo "$candidate"; return 0; }
        done
    fi
    command -v "python$want" 2>/dev/null && return 0
    return 1
}

run_cell() {
    local cell="$1" version="${1%%:*}" pins="${1#*:}" group=llm python venv key
    if [[ "$pins" == *@* ]]; then
        group="${pins##*@}"
        pins="${pins%@*}"
    fi
    local tests=() probe='import sys, openai, pydantic; print(f"python {sys.version.split()[0]}, openai {openai.__version__}, pydantic {pydantic.VERSION}")'
    case "$group" in
        llm) tests=("${LLM_TESTS[@]}") ;;
        vectordb)
            tests=("${VECTORDB_TESTS[@]}")
            probe='import sys, chromadb, numpy; print(f"python {sys.version.split()[0]}, chromadb {chromadb.__version__}, numpy {numpy.__version__}")'
            ;;
        *)
            ag_log "ERROR: unknown test group '$group' in the matrix cell $cell (llm or vectordb)"
            return 1
            ;;
    esac
    if ! python="$(find_python "$version")"; then
        if ag_in_ci; then
            ag_log "ERROR: no Python $version for the matrix cell $cell"
            return 1
        fi
        ag_warn "no Python $version: skipping the matrix cell $cell"
        return 0
    fi
    key="$(printf '%s' "$cell" | tr -c 'A-Za-z0-9.' '_')"
    venv="$MATRIX_DIR/$key"
    IFS=',' read -r -a reqs <<<"$pins"
    local log="$venv.pip.log"
    if [ ! -x "$venv/bin/python" ]; then
        ag_log "cell $cell: making $venv with $python"
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip >"$log" 2>&1 || {
            cat "$log" >&2
            return 1
        }
    fi
    # The project with its core dependencies only, the cell's pins, and the test runner (pip's output is kept
    # in $log and shown when it fails).
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -e . "${reqs[@]}" \
        "pytest>=7" "pytest-asyncio>=0.23" pytest-timeout >"$log" 2>&1 || {
        cat "$log" >&2
        return 1
    }
    local versions
    versions="$("$venv/bin/python" -c "$probe")"
    ag_log "cell $cell: $versions"
    # PYTHONPATH is the venv's own: the editable install of this tree, nothing from the caller's environment.
    env -u PYTHONPATH HF_HUB_OFFLINE=1 "$venv/bin/python" -m pytest "${tests[@]}" -q -p no:cacheprovider \
        --timeout=300 -m "not docker and not redis"
}

cells=("$@")
[ "${#cells[@]}" -gt 0 ] || cells=("${DEFAULT_CELLS[@]}")
mkdir -p "$MATRIX_DIR"
failed=()
for cell in "${cells[@]}"; do
    start=$SECONDS
    if run_cell "$cell"; then
        ag_log "cell $cell: passed ($((SECONDS - start))s)"
    else
        ag_log "cell $cell: FAILED ($((SECONDS - start))s)"
        failed+=("$cell")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    ag_log "failed cells: ${failed[*]}"
    exit 1
fi
ag_log "all matrix cells passed"
