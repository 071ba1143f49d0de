#!/usr/bin/env bash
# Build a minimal x86-64 test kernel (bzImage) carrying the AutoLOWAT series, for run-in-qemu.sh.
#
#   sdk-native/kernel/build-kernel.sh [--stock] [--force] [--keep-tree] [--config-only]
#                                     [--jobs N] [--cache DIR]
#
# Base: Debian's linux-source-6.12 (/usr/src/linux-source-6.12.tar.xz). The patches named in
# sdk-native/kernel/patches/series (quilt style: one file name per line, '#' comments; git
# format-patch output) are applied in order with `patch -p1`; then tinyconfig +
# config.fragment + olddefconfig, a check that every fragment option survived, `make bzImage`.
#
# The result is cached by a hash of (script version, kernel source package version, toolchain,
# config fragment, patch names and contents in series order):
#   ${AUTOLOWAT_KERNEL_CACHE:-$HOME/.cache/autolowat/kernel}/<hash>/bzImage
# A second run with the same inputs returns at once. Messages go to stderr; the only line on
# stdout is the bzImage path. See docs/kernel.md.
set -euo pipefail
# The whole script is one compound command: bash parses it before running it, so editing or
# checking out this file while a build runs cannot break the running instance.
{

# Bump when a change to this script changes what it builds (part of the cache key).
BUILD_SCRIPT_VERSION=1

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<EOF
Options:
  --stock         build without the series (an unpatched kernel), whatever the series file says
  --force         rebuild even if the cache has this build
  --keep-tree     keep the patched, built source tree (<cache>/<hash>/linux) for debugging
  --config-only   stop after the configuration check (no compile, nothing cached)
  --jobs N        make -j N (default: nproc = $(nproc))
  --cache DIR     cache directory (default: \$AUTOLOWAT_KERNEL_CACHE or ~/.cache/autolowat/kernel)
  -h, --help      this help
EOF
}

STOCK=0 FORCE=0 KEEP_TREE=0 CONFIG_ONLY=0 JOBS="$(nproc)"
while (($#)); do
    case "$1" in
        --stock) STOCK=1 ;;
        --force) FORCE=1 ;;
        --keep-tree) KEEP_TREE=1 ;;
        --config-only) CONFIG_ONLY=1 ;;
        --jobs) JOBS="${2:?--jobs needs a number}"; shift ;;
        --jobs=*) JOBS="${1#*=}" ;;
        --cache) KERNEL_CACHE="${2:?--cache needs a directory}"; shift ;;
        --cache=*) KERNEL_CACHE="${1#*=}" ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done

KERNEL_SOURCE_PKG=linux-source-6.12
KERNEL_TARBALL=/usr/src/linux-source-6.12.tar.xz
FRAGMENT="$KERNEL_DIR/config.fragment"
PATCH_DIR="$KERNEL_DIR/patches"
SERIES="$PATCH_DIR/series"

ensure_packages \
    "$KERNEL_TARBALL:$KERNEL_SOURCE_PKG" \
    gcc:gcc make:make patch:patch xz:xz-utils perl:perl-base \
    bc:bc flex:flex bison:bison pahole:dwarves cpio:cpio \
    /usr/include/libelf.h:libelf-dev /usr/include/openssl/ssl.h:libssl-dev

[[ -f "$FRAGMENT" ]] || die "config fragment not found: $FRAGMENT"

# ---- the series ------------------------------------------------------------------------------
PATCHES=()
if ((STOCK)); then
    SERIES_NOTE="stock build (--stock): the series is not applied"
elif [[ ! -f "$SERIES" ]]; then
    SERIES_NOTE="no series file ($SERIES)"
else
    lineno=0
    while IFS= read -r line || [[ -n "$line" ]]; do
        lineno=$((lineno + 1))
        line="${line%%#*}"                                   # comments
        read -r -a words <<<"$line" || true                  # trim
        ((${#words[@]} == 0)) && continue
        ((${#words[@]} == 1)) || die "$SERIES line $lineno: expected one patch file name, got '${words[*]}'" \
            "patches are applied with patch -p1; per-patch options are not supported"
        [[ -f "$PATCH_DIR/${words[0]}" ]] || die "$SERIES line $lineno names a patch that does not exist: $PATCH_DIR/${words[0]}"
        PATCHES+=("${words[0]}")
    done <"$SERIES"
    SERIES_NOTE="the series file lists no patches ($SERIES)"
fi

# ---- cache key -------------------------------------------------------------------------------
SOURCE_VERSION="$(dpkg-query -W -f='${Version}' "$KERNEL_SOURCE_PKG" 2>/dev/null ||
    stat -c 'size %s mtime %Y' "$KERNEL_TARBALL")"
TOOLCHAIN="$(gcc --version | head -n1); pahole $(pahole --version)"
key_input() {
    printf 'build-kernel.sh version %s\n' "$BUILD_SCRIPT_VERSION"
    printf 'kernel source %s %s\n' "$KERNEL_SOURCE_PKG" "$SOURCE_VERSION"
    printf 'toolchain %s\n' "$TOOLCHAIN"
    printf 'config.fragment\n'; cat "$FRAGMENT"
    local p
    for p in "${PATCHES[@]}"; do
        printf 'patch %s\n' "$p"; cat "$PATCH_DIR/$p"
    done
}
HASH="$(key_input | sha256sum | cut -c1-16)"
OUT="$KERNEL_CACHE/$HASH"
# --config-only works in a directory of its own: it never touches a cached or running build.
((CONFIG_ONLY)) && OUT="$KERNEL_CACHE/config-only/$HASH"
if ((${#PATCHES[@]} == 0)); then LOCALVERSION="-autolowat-stock"; else LOCALVERSION="-autolowat-${HASH:0:8}"; fi

describe_series() {
    if ((${#PATCHES[@]} == 0)); then
        banner "UNPATCHED KERNEL: $SERIES_NOTE." \
               "This kernel does NOT carry the AutoLOWAT series: op 21 (BPF_SOCK_OPS_RCVQ_CB)," \
               "flag 0x80 and the kfunc are absent; RCVQ rules report 'not supported'."
    else
        log "series: ${#PATCHES[@]} patch(es) from $SERIES:"
        local p; for p in "${PATCHES[@]}"; do log "  $p"; done
    fi
}

if [[ -f "$OUT/bzImage" && $FORCE -eq 0 && $CONFIG_ONLY -eq 0 ]]; then
    describe_series
    log "cached: $OUT/bzImage (key $HASH, $(cat "$OUT/kernelrelease" 2>/dev/null || echo '?')); nothing to build"
    echo "$OUT/bzImage"
    exit 0
fi

LOCK="$KERNEL_CACHE/.lock"
((CONFIG_ONLY)) && LOCK="$KERNEL_CACHE/config-only/.lock"
mkdir -p "$(dirname "$LOCK")"
exec 9>"$LOCK"
if ! flock -n 9; then
    log "another build holds $LOCK; waiting for it"
    flock 9
fi
if [[ -f "$OUT/bzImage" && $FORCE -eq 0 && $CONFIG_ONLY -eq 0 ]]; then
    log "cached (built meanwhile by another run): $OUT/bzImage"
    echo "$OUT/bzImage"
    exit 0
fi

describe_series
START=$(date +%s)
mkdir -p "$OUT/logs"
rm -f "$OUT/bzImage"
LOGS="$OUT/logs"
TREE="$OUT/linux"
log "build key $HASH -> $OUT (logs: $LOGS)"

# ---- unpack ----------------------------------------------------------------------------------
rm -rf "$TREE" "$OUT/linux-source-6.12"
log "unpacking $KERNEL_TARBALL ($KERNEL_SOURCE_PKG $SOURCE_VERSION)"
tar -xf "$KERNEL_TARBALL" -C "$OUT" 2>"$LOGS/unpack.log" ||
    die "unpacking $KERNEL_TARBALL failed (see $LOGS/unpack.log)" "is the disk full? (df -h $KERNEL_CACHE)"
mv "$OUT/linux-source-6.12" "$TREE"

# ---- patch -----------------------------------------------------------------------------------
: >"$LOGS/patch.log"
for p in "${PATCHES[@]}"; do
    log "applying $p"
    {
        echo "=== $p"
        patch -p1 --batch --forward -d "$TREE" -i "$PATCH_DIR/$p"
    } >>"$LOGS/patch.log" 2>&1 || {
        tail -n 20 "$LOGS/patch.log" >&2
        die "patch $p does not apply to $KERNEL_SOURCE_PKG $SOURCE_VERSION (patch -p1)" \
            "full output: $LOGS/patch.log; the source tree is left at $TREE" \
            "fix or rebase the patch (base: Debian's $KERNEL_SOURCE_PKG), then run again"
    }
done

# ---- configure and verify --------------------------------------------------------------------
KMAKE=(make -C "$TREE" ARCH=x86_64 LOCALVERSION="$LOCALVERSION"
       KBUILD_BUILD_USER=autolowat KBUILD_BUILD_HOST=build-kernel.sh)
log "configuring: tinyconfig + $(basename "$FRAGMENT") + olddefconfig"
{
    "${KMAKE[@]}" tinyconfig &&
    cat "$FRAGMENT" >>"$TREE/.config" &&
    "${KMAKE[@]}" olddefconfig
} >"$LOGS/config.log" 2>&1 || {
    tail -n 20 "$LOGS/config.log" >&2
    die "kernel configuration failed (see $LOGS/config.log)"
}
cp "$TREE/.config" "$OUT/config"

# Every CONFIG_X=value and '# CONFIG_X is not set' of the fragment must be in .config as written.
dropped=()
while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
        sym="${BASH_REMATCH[1]}" want="${BASH_REMATCH[2]}"
        if [[ "$want" == n ]]; then
            got="$(grep -E "^$sym=" "$TREE/.config" || true)"
            [[ -z "$got" ]] || dropped+=("$sym=n (is ${got#*=})")
        else
            got="$(grep -E "^$sym=" "$TREE/.config" | tail -n1 || true)"
            [[ "$got" == "$sym=$want" ]] || dropped+=("$sym=$want (is ${got:+${got#*=}}${got:-not set})")
        fi
    elif [[ "$line" =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set ]]; then
        sym="${BASH_REMATCH[1]}"
        got="$(grep -E "^$sym=" "$TREE/.config" || true)"
        [[ -z "$got" ]] || dropped+=("$sym not set (is ${got#*=})")
    fi
done <"$FRAGMENT"
if ((${#dropped[@]})); then
    die "olddefconfig dropped ${#dropped[@]} option(s) of $FRAGMENT:" \
        "${dropped[@]}" \
        "an unmet dependency or a renamed symbol: read its 'depends on' with" \
        "  grep -rn -A8 --include='Kconfig*' '^config NAME\$' $TREE" \
        "the resulting configuration is $OUT/config, the log $LOGS/config.log"
fi
log "configuration check: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$FRAGMENT") options of the fragment are set as requested"
if ((CONFIG_ONLY)); then
    log "--config-only: stopping; configuration at $OUT/config, tree at $TREE"
    exit 0
fi

# ---- build -----------------------------------------------------------------------------------
KRELEASE="$("${KMAKE[@]}" -s kernelrelease 2>/dev/null)"
log "building $KRELEASE: make -j$JOBS bzImage (a few minutes; log: $LOGS/build.log)"
BUILD_START=$(date +%s)
if ! "${KMAKE[@]}" -j"$JOBS" bzImage >"$LOGS/build.log" 2>&1; then
    grep -E -m 20 -B2 -A3 '(error|Error [0-9]+)' "$LOGS/build.log" >&2 || tail -n 30 "$LOGS/build.log" >&2
    die "kernel build failed (make bzImage)" \
        "full log: $LOGS/build.log; the tree is left at $TREE for inspection" \
        "a compile error in a patch: fix the patch and run again; a missing tool: install it"
fi
BUILD_END=$(date +%s)

cp "$TREE/arch/x86/boot/bzImage" "$OUT/bzImage.tmp"
cp "$TREE/System.map" "$OUT/System.map"
echo "$KRELEASE" >"$OUT/kernelrelease"
{
    echo "kernelrelease: $KRELEASE"
    echo "key: $HASH"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "compile seconds (make bzImage, -j$JOBS): $((BUILD_END - BUILD_START))"
    echo "total seconds (unpack, patch, configure, compile): $((BUILD_END - START))"
    echo "patches (${#PATCHES[@]}):"
    for p in "${PATCHES[@]}"; do echo "  $p $(sha256sum <"$PATCH_DIR/$p" | cut -c1-16)"; done
    ((${#PATCHES[@]})) || echo "  none: $SERIES_NOTE"
    echo "--- cache key input (without file contents)"
    key_input | grep -E '^(build-kernel.sh version|kernel source|toolchain|config.fragment$|patch )'
} >"$OUT/build-info.txt"
mv "$OUT/bzImage.tmp" "$OUT/bzImage"
if ((KEEP_TREE == 0)); then
    log "removing the build tree (--keep-tree keeps it)"
    rm -rf "$TREE"
fi

if ((${#PATCHES[@]} == 0)); then
    banner "Built an UNPATCHED kernel ($KRELEASE): $SERIES_NOTE."
fi
log "built $KRELEASE in $((BUILD_END - START)) s (compile $((BUILD_END - BUILD_START)) s, -j$JOBS): $OUT/bzImage"
echo "$OUT/bzImage"
exit
}
