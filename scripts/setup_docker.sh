#!/usr/bin/env bash
# Make a working Docker daemon and the local image "python:3-slim" available (idempotent, non-interactive).
#
# Used by CI on a fresh machine and by developers before running the Docker tests:
#   1. installs docker.io and debootstrap with apt-get when they are missing;
#   2. starts dockerd in the background when `docker info` fails, logging to $DOCKERD_LOG, and waits for it;
#   3. builds python:3-slim from a minimal Debian root file system when the image is absent
#      (nothing can be pulled from Docker Hub on these machines);
#   4. builds autogen-jupyterkernelgateway (DockerJupyterServer's image) on top of it when absent, from wheels pip
#      downloads on the host (python -m autogen.coding.jupyter.docker_jupyter_server; $AUTOGEN_PYTHON or python3).
#
# Environment knobs: AUTOGEN_DOCKER_IMAGE (default python:3-slim), DOCKERD_LOG (default /tmp/dockerd.log),
# DEBIAN_SUITE (default bookworm), DEBIAN_MIRROR (default: the mirror apt uses), DOCKER_WAIT_SECONDS (default 60).
# `setup_docker.sh --clear-stale-pidfiles` only removes daemon pid files left behind by a killed daemon (see 2.).
set -euo pipefail
CLEAR_ONLY=0
[ "${1:-}" = "--clear-stale-pidfiles" ] && CLEAR_ONLY=1

IMAGE="${AUTOGEN_DOCKER_IMAGE:-python:3-slim}"
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
SUITE="${DEBIAN_SUITE:-bookworm}"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

log() { echo "[setup_docker] $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# --- 1. packages -------------------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ] && [ "$CLEAR_ONLY" = 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq "${missing[@]}"
fi

# --- 2. daemon ---------------------------------------------------------------------------------------------
# A daemon killed without its own shutdown (a session ending, a machine restored from a snapshot) leaves its pid
# files behind. When the pid such a file names has since been given to another process, dockerd either refuses to
# start (docker.pid) or waits for a containerd that is not there ("containerd is still running", then a timeout):
# that is how a CI run on a reused machine once failed. A pid file whose process is not the daemon it names goes.
# AUTOGEN_DOCKER_PIDFILES ("FILE:NAME FILE:NAME") replaces the list, for the script's own test.
read -r -a PIDFILES <<<"${AUTOGEN_DOCKER_PIDFILES:-/var/run/docker.pid:dockerd /var/run/docker/containerd/containerd.pid:containerd}"

clear_stale_pidfiles() {
    local entry file name pid
    for entry in "${PIDFILES[@]}"; do
        file="${entry%%:*}"
        name="${entry##*:}"
        [ -e "$file" ] || continue
        pid="$( { tr -dc '0-9' <"$file"; } 2>/dev/null || true)"
        if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "$name" ]; then
            continue
        fi
        log "removing stale $file (pid ${pid:-none} is not a running $name)"
        as_root rm -f "$file"
    done
}

# Stop the dockerd this script started (and the containerd it started in turn) after a failed start.
stop_started_dockerd() {
    local pid
    pid="$( { tr -dc '0-9' </var/run/docker.pid; } 2>/dev/null || true)"
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ] || pid=""
    [ -n "$pid" ] || pid="$(pgrep -x dockerd | head -n 1 || true)"
    if [ -n "$pid" ]; then
        as_root kill -TERM "$pid" 2>/dev/null || true
        local waited=0
        while [ -e "/proc/$pid" ] && [ "$waited" -lt 15 ]; do
            sleep 1
            waited=$((waited + 1))
        done
        as_root kill -KILL "$pid" 2>/dev/null || true
    fi
    # Only the containerd a dockerd starts (its config lives under /var/run/docker), never a system one.
    as_root pkill -KILL -f '^containerd --config /var/run/docker/containerd/' 2>/dev/null || true
    # Whatever process the containerd pid file still names is not one dockerd can use: the next start makes its own.
    as_root rm -f /var/run/docker/containerd/containerd.pid
}

start_dockerd() {
    clear_stale_pidfiles
    log "starting dockerd (log: $DOCKERD_LOG)"
    as_root sh -c "nohup dockerd >>'$DOCKERD_LOG' 2>&1 &"
    local waited=0
    until docker info >/dev/null 2>&1; do
        if [ "$waited" -ge "$WAIT_SECONDS" ]; then
            log "dockerd did not answer within ${WAIT_SECONDS}s; last lines of $DOCKERD_LOG:"
            tail -n 30 "$DOCKERD_LOG" >&2 || true
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "dockerd is up after ${waited}s"
}

if [ "$CLEAR_ONLY" = 1 ]; then
    clear_stale_pidfiles
    exit 0
fi

if docker info >/dev/null 2>&1; then
    log "docker daemon already running"
elif ! start_dockerd; then
    # One more try from a clean state: whatever the first start left running or half-written is removed first.
    log "stopping that dockerd and trying once more"
    stop_started_dockerd
    start_dockerd || exit 1
fi

# --- 4. the Jupyter kernel gateway image (after the base image, at exit) --------------------------------------
build_gateway_image() {
    local py="${AUTOGEN_PYTHON:-python3}"
    if docker image inspect autogen-jupyterkernelgateway >/dev/null 2>&1; then
        log "image autogen-jupyterkernelgateway already present"
    elif ! "$py" -c 'import autogen.coding.jupyter.docker_jupyter_server' >/dev/null 2>&1; then
        log "autogen is not importable with $py: autogen-jupyterkernelgateway is built on first use instead"
    else
        log "building autogen-jupyterkernelgateway from $IMAGE (about 90 s)"
        (cd "$(dirname "$0")/.." && "$py" -m autogen.coding.jupyter.docker_jupyter_server)
    fi
}

# --- 3. image ----------------------------------------------------------------------------------------------
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "image $IMAGE already present"
    build_gateway_image
    exit 0
fi

detect_mirror() {
    # deb822 sources first (URIs: ...), then one-line sources (deb URL suite ...); skip security mirrors.
    local files=() url=""
    for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] && files+=("$f")
    done
    if [ "${#files[@]}" -gt 0 ]; then
        url="$(grep -hE '^\s*URIs:' "${files[@]}" 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | grep -v security | head -n 1 || true)"
        if [ -z "$url" ]; then
            url="$(grep -hE '^\s*deb\s' "${files[@]}" 2>/dev/null | sed -E 's/\[[^]]*\]//' | awk '{print $2}' | grep -E '/debian/?$' | grep -v security | head -n 1 || true)"
        fi
    fi
    echo "${url:-http://deb.debian.org/debian}"
}

MIRROR="${DEBIAN_MIRROR:-$(detect_mirror)}"
ROOTFS="$(mktemp -d /tmp/autogen-rootfs.XXXXXX)"
cleanup_rootfs() {
    # debootstrap may leave /proc or /sys mounted inside the root file system when it fails: unmount first.
    awk -v root="$ROOTFS" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r | while read -r mnt; do
        as_root umount -l "$mnt" || true
    done
    as_root rm -rf "$ROOTFS"
}
trap cleanup_rootfs EXIT
log "building $IMAGE with debootstrap ($SUITE from $MIRROR); this takes about 90 s"
as_root debootstrap --variant=minbase --include=python3,python-is-python3,python3-pip \
    "$SUITE" "$ROOTFS" "$MIRROR" >"${ROOTFS}.debootstrap.log" 2>&1 || {
    log "debootstrap failed; last lines of its log:"
    tail -n 30 "${ROOTFS}.debootstrap.log" >&2 || true
    exit 1
}
rm -f "${ROOTFS}.debootstrap.log"
# Drop apt caches to keep the image small.
as_root rm -rf "$ROOTFS/var/cache/apt/archives/"*.deb "$ROOTFS/var/lib/apt/lists/"*
as_root tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' - "$IMAGE" >/dev/null
log "image $IMAGE built"
docker run --rm "$IMAGE" python --version
build_gateway_image
