# Shared helpers of build-kernel.sh and run-in-qemu.sh (sourced, not run).
# shellcheck shell=bash

KERNEL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KERNEL_DIR/../.." && pwd)"
KERNEL_CACHE="${AUTOLOWAT_KERNEL_CACHE:-$HOME/.cache/autolowat/kernel}"

log()  { printf '[autolowat-kernel] %s\n' "$*" >&2; }
die()  {
    printf '\n[autolowat-kernel] ERROR: %s\n' "$1" >&2
    shift
    local line
    for line in "$@"; do printf '[autolowat-kernel]   %s\n' "$line" >&2; done
    exit 1
}
banner() {
    local line
    printf '\n' >&2
    printf '[autolowat-kernel] %s\n' '************************************************************************' >&2
    for line in "$@"; do printf '[autolowat-kernel] ***  %s\n' "$line" >&2; done
    printf '[autolowat-kernel] %s\n' '************************************************************************' >&2
    printf '\n' >&2
}

# ensure_packages "<check>:<debian package>" ...
# A check is a command name (found on PATH), or an absolute path that must exist.
# Missing packages are installed with apt-get (root only), in one go.
ensure_packages() {
    local spec check pkg missing=()
    for spec in "$@"; do
        check="${spec%%:*}"
        pkg="${spec#*:}"
        if [[ "$check" == /* ]]; then
            [[ -e "$check" ]] && continue
        else
            command -v "$check" >/dev/null 2>&1 && continue
        fi
        missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    # de-duplicate, keep order
    local uniq=() p q seen
    for p in "${missing[@]}"; do
        seen=0
        for q in "${uniq[@]}"; do [[ "$p" == "$q" ]] && seen=1; done
        ((seen)) || uniq+=("$p")
    done
    if [[ $(id -u) -ne 0 ]]; then
        die "missing Debian packages: ${uniq[*]}" \
            "install them as root: apt-get install -y ${uniq[*]}"
    fi
    log "installing missing Debian packages: ${uniq[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get -y -q install --no-install-recommends "${uniq[@]}" >&2; then
        log "apt-get install failed; running apt-get update and trying again"
        apt-get -q update >&2 || true
        apt-get -y -q install --no-install-recommends "${uniq[@]}" >&2 ||
            die "apt-get could not install: ${uniq[*]}" \
                "install them by hand (apt-get install -y ${uniq[*]}) and run again"
    fi
}
