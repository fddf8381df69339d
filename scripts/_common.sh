# shellcheck shell=bash
# Helpers shared by the scripts in this folder. Source it (`. scripts/_common.sh`): it only defines
# variables and functions, and changes no shell option of the script that sources it.
#
# Logs go to stderr, so that a function whose result is printed (ag_select_python) can be captured with $(...).

AG_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AG_MIN_PYTHON="3.9"

ag_log() { printf '[%s] %s\n' "${AG_LOG_TAG:-autogen}" "$*" >&2; }
ag_warn() { ag_log "WARNING: $*"; }

# True when running under CI (CI=true, as .ci/run sets it).
ag_in_ci() {
    case "${CI:-}" in
        true | TRUE | True | 1 | yes) return 0 ;;
    esac
    return 1
}

# Run a command as root: directly when we are root, else through passwordless sudo. Fails (without
# prompting for a password) when neither is possible.
ag_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        ag_log "root is needed for: $* (not root, and sudo is not installed)"
        return 1
    fi
}

# pip may run as root here (CI, fresh machines): that is intended, so silence its warning about it.
export PIP_ROOT_USER_ACTION="${PIP_ROOT_USER_ACTION:-ignore}"

# Install Debian packages by name. `apt-get update` runs once per shell, before the first install.
# All apt output goes to stderr.
ag_apt_install() {
    [ "$#" -gt 0 ] || return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        ag_log "apt-get is not available; install these by hand: $*"
        return 1
    fi
    if [ -z "${_AG_APT_UPDATED:-}" ]; then
        ag_log "apt-get update"
        ag_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
        _AG_APT_UPDATED=1
    fi
    ag_log "apt-get install $*"
    ag_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# Succeeds when the interpreter $1 is Python >= AG_MIN_PYTHON.
_ag_python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' >/dev/null 2>&1
}

# Succeeds when pip may install into the interpreter $1 as it is: its environment is not "externally
# managed" (PEP 668, e.g. Debian's /usr/bin/python3) and its site-packages directory is writable.
_ag_python_installable() {
    "$1" - <<'PY' >/dev/null 2>&1
import os, sys, sysconfig
if sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")):
    sys.exit(1)
sys.exit(0 if os.access(sysconfig.get_path("purelib"), os.W_OK) else 1)
PY
}

# Make `$1 -m pip` work, and recent enough for editable installs from pyproject.toml (pip >= 21.3).
_ag_ensure_pip() {
    local py="$1"
    if ! "$py" -m pip --version >/dev/null 2>&1; then
        ag_log "pip is missing for $py; trying ensurepip"
        "$py" -m ensurepip --upgrade >&2 || ag_apt_install python3-pip || return 1
    fi
    if ! "$py" - <<'PY' >/dev/null 2>&1; then
import sys
from importlib.metadata import version
major, minor = (int(x) for x in version("pip").split(".")[:2])
sys.exit(0 if (major, minor) >= (21, 3) else 1)
PY
        ag_log "upgrading an old pip"
        "$py" -m pip install --disable-pip-version-check -q --upgrade pip >&2 || return 1
    fi
}

# Print the path of the Python interpreter to install the project into, preparing it when needed:
#   1. $AUTOGEN_PYTHON, when set;
#   2. the active virtual environment ($VIRTUAL_ENV);
#   3. python3 (or python) from PATH, when pip may install into it as it is;
#   4. otherwise a virtual environment at $AUTOGEN_VENV (default: <repo>/.venv), created on first use
#      (this is the case of a Debian system Python, which refuses `pip install` outside a venv).
ag_select_python() {
    local py=""
    if [ -n "${AUTOGEN_PYTHON:-}" ]; then
        py="$AUTOGEN_PYTHON"
    elif [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
        py="$VIRTUAL_ENV/bin/python"
    else
        local base=""
        base="$(command -v python3 || command -v python || true)"
        if [ -z "$base" ]; then
            ag_apt_install python3 python3-venv python3-pip || return 1
            base="$(command -v python3)"
        fi
        if ! _ag_python_ok "$base"; then
            ag_log "$base is older than Python $AG_MIN_PYTHON; set AUTOGEN_PYTHON to a newer interpreter"
            return 1
        fi
        if _ag_python_installable "$base"; then
            py="$base"
        else
            local venv="${AUTOGEN_VENV:-$AG_REPO_ROOT/.venv}"
            if [ ! -x "$venv/bin/python" ]; then
                ag_log "$base does not accept packages; creating the virtual environment $venv"
                if ! "$base" -m venv "$venv" >&2; then
                    rm -rf "$venv"
                    local minor=""
                    minor="$("$base" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
                    ag_apt_install python3-venv "python${minor}-venv" || return 1
                    "$base" -m venv "$venv" >&2 || return 1
                fi
            fi
            py="$venv/bin/python"
        fi
    fi
    if ! _ag_python_ok "$py"; then
        ag_log "$py is missing or older than Python $AG_MIN_PYTHON"
        return 1
    fi
    _ag_ensure_pip "$py" || return 1
    # Resolve shims (pyenv, asdf) to the real interpreter, so that the path printed is the one that runs.
    "$py" -c 'import sys; print(sys.executable)' 2>/dev/null || printf '%s\n' "$py"
}

# True when the Docker daemon answers.
ag_docker_up() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

# True unless AUTOGEN_USE_DOCKER, the library's own switch, turns Docker off (the values that
# autogen.code_utils.decide_use_docker reads as false, in any case, or None).
ag_docker_wanted() {
    local value
    value="$(printf '%s' "${AUTOGEN_USE_DOCKER:-}" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')"
    case "$value" in
        0 | false | no | f | n | off | none) return 1 ;;
    esac
    return 0
}
