#!/usr/bin/env bash
# Start a throw-away redis-server for the tests: loopback only, a free port, nothing written to disk.
#
# Two ways to use it:
#   . scripts/setup_redis.sh            sourced: sets and exports the variables below in the calling shell
#   eval "$(scripts/setup_redis.sh)"    run as a program: prints `export ...` lines for them on stdout
# and to stop the server it started:
#   scripts/setup_redis.sh --stop [PORT]        (PORT defaults to $AUTOGEN_TEST_REDIS_PORT)
#
# Variables set:
#   AUTOGEN_TEST_REDIS_URL      redis://127.0.0.1:PORT/0 (what the Redis tests read)
#   AUTOGEN_TEST_REDIS_PORT     PORT
#   AUTOGEN_TEST_REDIS_STARTED  1 when this script started the server (so the caller should stop it), else 0
#   AUTOGEN_TEST_REDIS_DIR      the server's scratch directory (log, pid file), when it was started here
#
# When AUTOGEN_TEST_REDIS_URL is already set and a server answers there, that server is reused and nothing
# is started. redis-server is installed with apt-get when missing.

_ag_redis_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$_ag_redis_here/_common.sh"

# Print a TCP port that is free on 127.0.0.1 right now.
_ag_redis_free_port() {
    local py
    py="$(command -v python3 || command -v python || true)"
    if [ -n "$py" ]; then
        "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

_ag_redis_stop() {
    local port="${1:-${AUTOGEN_TEST_REDIS_PORT:-}}"
    if [ -z "$port" ]; then
        AG_LOG_TAG=setup_redis ag_log "--stop needs a PORT (or AUTOGEN_TEST_REDIS_PORT)"
        return 2
    fi
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    AG_LOG_TAG=setup_redis ag_log "stopped redis-server on port $port"
    case "${AUTOGEN_TEST_REDIS_DIR:-}" in
        */autogen-redis.*) rm -rf "$AUTOGEN_TEST_REDIS_DIR" ;;
    esac
}

_ag_redis_start() {
    local AG_LOG_TAG=setup_redis
    if [ -n "${AUTOGEN_TEST_REDIS_URL:-}" ] && command -v redis-cli >/dev/null 2>&1 &&
        [ "$(redis-cli -u "$AUTOGEN_TEST_REDIS_URL" ping 2>/dev/null)" = "PONG" ]; then
        ag_log "reusing the server at $AUTOGEN_TEST_REDIS_URL"
        AUTOGEN_TEST_REDIS_PORT="${AUTOGEN_TEST_REDIS_PORT:-}"
        AUTOGEN_TEST_REDIS_STARTED=0
        AUTOGEN_TEST_REDIS_DIR=""
        return 0
    fi
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        ag_apt_install redis-server || {
            ag_log "redis-server is missing and could not be installed"
            return 1
        }
    fi

    local attempt port dir pid waited
    for attempt in 1 2 3 4 5; do
        port="$(_ag_redis_free_port)"
        dir="$(mktemp -d "${TMPDIR:-/tmp}/autogen-redis.XXXXXX")"
        redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
            --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" >/dev/null 2>&1 || true
        # Wait for our server: the one answering on the port must have the pid our pid file names
        # (another server could have taken the port between the check and the start).
        waited=0
        while [ "$waited" -lt 50 ]; do
            if [ -s "$dir/redis.pid" ]; then
                pid="$(cat "$dir/redis.pid")"
                if redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null | tr -d '\r' |
                    grep -qx "process_id:$pid"; then
                    AUTOGEN_TEST_REDIS_PORT="$port"
                    AUTOGEN_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
                    AUTOGEN_TEST_REDIS_STARTED=1
                    AUTOGEN_TEST_REDIS_DIR="$dir"
                    ag_log "redis-server (pid $pid) listening on $AUTOGEN_TEST_REDIS_URL"
                    return 0
                fi
            fi
            sleep 0.2
            waited=$((waited + 1))
        done
        ag_log "attempt $attempt: redis-server did not come up on port $port; its log:"
        tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
        rm -rf "$dir"
    done
    return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Run as a program.
    set -euo pipefail
    if [ "${1:-}" = "--stop" ]; then
        _ag_redis_stop "${2:-}"
        exit $?
    fi
    _ag_redis_start
    printf 'export AUTOGEN_TEST_REDIS_URL=%q\n' "$AUTOGEN_TEST_REDIS_URL"
    printf 'export AUTOGEN_TEST_REDIS_PORT=%q\n' "$AUTOGEN_TEST_REDIS_PORT"
    printf 'export AUTOGEN_TEST_REDIS_STARTED=%q\n' "$AUTOGEN_TEST_REDIS_STARTED"
    printf 'export AUTOGEN_TEST_REDIS_DIR=%q\n' "$AUTOGEN_TEST_REDIS_DIR"
else
    # Sourced: set the variables in the caller's shell; the return status tells whether a server is there.
    if _ag_redis_start; then
        export AUTOGEN_TEST_REDIS_URL AUTOGEN_TEST_REDIS_PORT AUTOGEN_TEST_REDIS_STARTED AUTOGEN_TEST_REDIS_DIR
    else
        false
    fi
fi
