#!/usr/bin/env bash
# Boot the test kernel (build-kernel.sh, cached) under QEMU and run the autolowat CLI inside it.
#
#   sdk-native/kernel/run-in-qemu.sh [options] [-- autolowat args...]
#
# Default guest job: `autolowat probe`, `probe --json`, `report --output-dir <share>/report`,
# `report --policy examples/bpf/autolowat_policy.o --output-dir <share>/report-policy`, then
# `trace --backend native` of spec/selftest-traces.json and of the A6 series-program cases, and
# compare-objects.sh (every examples/bpf object loaded by the SDK and by bpftool: same xlated program).
# With `-- ARGS` the job is `autolowat ARGS` instead (run in the output share); with --cmd the
# job is an arbitrary shell command. The guest's / is the host's / (read-only, virtio-9p), so
# the repository, the JDK (readlink -f $(which java)) and the jar are used in place; results go
# to a writable 9p share and are copied to --out (default <repo>/target/kernel-report/).
# Exit code: 0 when every step of the job exited 0; 1 when a step failed, the guest did not
# finish, or the run timed out. See docs/kernel.md.
set -euo pipefail
# The whole script is one compound command: bash parses it before running it, so editing or
# checking out this file while a build runs cannot break the running instance.
{

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<EOF
Options:
  --stock           boot the unpatched build (build-kernel.sh --stock)
  --kernel FILE     boot this bzImage instead of building one
  --cmd "COMMAND"   run COMMAND (busybox sh -c) in the guest instead of the autolowat job;
                    \$JAVA, \$JAR, \$JAVA_OPTS and \$OUT (the writable share) are set
  --out DIR         where the results go (default: <repo>/target/kernel-report; emptied first)
  --timeout SECS    kill the guest after SECS seconds (default: 3600; Java under TCG is slow)
  --memory MB       guest memory (default: 2048)
  --smp N           guest CPUs (default: 1: with 2, the guest JVM crashed under TCG; docs/kernel.md)
  --java-opts "..." extra JVM options in the guest (default ones: -Djna.tmpdir=/tmp -XX:-UsePerfData)
  -v, --verbose     stream the guest console while it runs (default: console.log, shown on failure)
  --build-args "..." extra options for build-kernel.sh (e.g. "--force", "--keep-tree")
  -h, --help        this help
EOF
}

STOCK=0 KERNEL="" CMD="" OUT_DIR="$REPO_ROOT/target/kernel-report" TIMEOUT=3600 MEMORY=2048 SMP=1
EXTRA_JAVA_OPTS="" VERBOSE=0 BUILD_ARGS="" CLI_ARGS=() HAVE_CLI_ARGS=0
while (($#)); do
    case "$1" in
        --stock) STOCK=1 ;;
        --kernel) KERNEL="${2:?--kernel needs a file}"; shift ;;
        --cmd) CMD="${2:?--cmd needs a command}"; shift ;;
        --out) OUT_DIR="${2:?--out needs a directory}"; shift ;;
        --timeout) TIMEOUT="${2:?--timeout needs seconds}"; shift ;;
        --memory) MEMORY="${2:?--memory needs MB}"; shift ;;
        --smp) SMP="${2:?--smp needs a number}"; shift ;;
        --java-opts) EXTRA_JAVA_OPTS="${2?--java-opts needs options}"; shift ;;
        --build-args) BUILD_ARGS="${2?--build-args needs options}"; shift ;;
        -v|--verbose) VERBOSE=1 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; CLI_ARGS=("$@"); HAVE_CLI_ARGS=1; break ;;
        *) usage >&2; die "unknown option: $1 (autolowat arguments go after --)" ;;
    esac
    shift
done
[[ -n "$CMD" && $HAVE_CLI_ARGS -eq 1 ]] && die "use either --cmd or -- autolowat args, not both"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds, got '$TIMEOUT'"

ensure_packages qemu-system-x86_64:qemu-system-x86 /bin/busybox:busybox-static
file_is_static() { local h; h="$(LC_ALL=C readelf -l "$1" 2>/dev/null)" || return 1; [[ "$h" != *INTERP* ]]; }
file_is_static /bin/busybox ||
    die "/bin/busybox is dynamically linked; the guest init needs the static one" \
        "apt-get install -y busybox-static"

# ---- what the guest uses from the host's / ---------------------------------------------------
GUEST_INIT="$KERNEL_DIR/guest-init.sh"
case "$REPO_ROOT" in
    /tmp|/tmp/*) die "the repository is under /tmp ($REPO_ROOT): the guest mounts a tmpfs on /tmp and cannot see it" \
                     "clone it somewhere else" ;;
    *[[:space:]]*) die "the repository path contains white space ($REPO_ROOT): it cannot be passed as init= on the kernel command line" ;;
esac
[[ -x "$GUEST_INIT" ]] || die "$GUEST_INIT is not executable (chmod +x it)"
JAVA_BIN="$(readlink -f "$(command -v java || true)")"
[[ -x "$JAVA_BIN" ]] || die "no java on PATH: the guest runs the host's JDK (Java 17)"
case "$JAVA_BIN" in /tmp/*) die "the JDK is under /tmp ($JAVA_BIN), hidden in the guest by its tmpfs" ;; esac
JAR="$REPO_ROOT/conformance-tests/target/autolowat.jar"
if [[ -z "$CMD" && ! -f "$JAR" ]]; then
    log "no $JAR yet: building it (mvn -q -B -DskipTests package)"
    (cd "$REPO_ROOT" && mvn -q -B -DskipTests package) >&2 ||
        die "building the jar failed" "run: (cd $REPO_ROOT && mvn -B -DskipTests package) and look at the error"
fi

# ---- the kernel ------------------------------------------------------------------------------
if [[ -z "$KERNEL" ]]; then
    build_opts=()
    ((STOCK)) && build_opts+=(--stock)
    # shellcheck disable=SC2206
    [[ -n "$BUILD_ARGS" ]] && build_opts+=($BUILD_ARGS)
    KERNEL="$("$KERNEL_DIR/build-kernel.sh" "${build_opts[@]}" | tail -n1)" ||
        die "building the kernel failed (messages above)"
fi
[[ -f "$KERNEL" ]] || die "no kernel image at '$KERNEL'"
KERNEL_INFO="$(dirname "$KERNEL")/build-info.txt"

# ---- the job ---------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/autolowat-qemu.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
SHARE="$WORK/share"
mkdir -p "$SHARE"
CONSOLE="$WORK/console.log"

q() { printf '%q' "$1"; }
{
    echo '# written by run-in-qemu.sh; run by guest-init.sh with busybox sh in the output share'
    echo "JAVA=$(q "$JAVA_BIN")"
    echo "JAR=$(q "$JAR")"
    echo "OUT=/tmp/autolowat-out"
    echo "JAVA_OPTS=$(q "-Djna.tmpdir=/tmp -XX:-UsePerfData${EXTRA_JAVA_OPTS:+ $EXTRA_JAVA_OPTS}")"
    echo 'export JAVA JAR OUT JAVA_OPTS'
    cat <<'EOF'
BB=/bin/busybox
status=0
# step NAME STDOUT-FILE COMMAND...: run, tee the output to the console and NAME.log (or only
# stdout to STDOUT-FILE when given), record "NAME rc seconds" in steps.tsv.
step() {
    name=$1 file=$2; shift 2
    t0=$($BB cut -d' ' -f1 /proc/uptime)
    echo "autolowat-guest: === $name: $* (uptime $t0 s)"
    if [ -n "$file" ]; then
        "$@" >"$OUT/$file" 2>"$OUT/$name.stderr"; rc=$?
        $BB cat "$OUT/$name.stderr"
    else
        { "$@"; echo $? >"$OUT/.rc"; } 2>&1 | $BB tee "$OUT/$name.log"
        rc=$($BB cat "$OUT/.rc"); $BB rm -f "$OUT/.rc"
    fi
    t1=$($BB cut -d' ' -f1 /proc/uptime)
    secs=$($BB awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    echo "$name $rc $secs" >>"$OUT/steps.tsv"
    echo "autolowat-guest: === $name: exit code $rc after $secs s"
    [ "$rc" = 0 ] || status=1
}
# shellcheck disable=SC2086
autolowat() { "$JAVA" $JAVA_OPTS -jar "$JAR" "$@"; }
: >"$OUT/steps.tsv"
EOF
    if [[ -n "$CMD" ]]; then
        echo "step cmd '' /bin/busybox sh -c $(q "$CMD")"
    elif ((HAVE_CLI_ARGS)); then
        printf 'step autolowat %s autolowat' "''"
        printf ' %q' "${CLI_ARGS[@]}"
        echo
    else
        echo "step probe '' autolowat probe"
        echo "step probe-json probe.json autolowat probe --json"
        echo "step report '' autolowat report --output-dir \"\$OUT/report\""
        # the C reference policy as a user's object: simulator and kernel step by step (issue #11)
        echo "step report-policy '' autolowat report --policy $(q "$REPO_ROOT/examples/bpf/autolowat_policy.o") --output-dir \"\$OUT/report-policy\""
        # A6 as trace files, natively: the series' selftest traces and the issue-12 cases
        # (docs/traces.md); each step's output is its log in the results
        echo "step trace-selftest '' autolowat trace $(q "$REPO_ROOT/spec/selftest-traces.json") --backend native"
        # clang objects loaded by the SDK and by libbpf give the same kernel program (issue #11)
        echo "step objects '' /bin/busybox sh $(q "$REPO_ROOT/sdk-native/kernel/compare-objects.sh") $(q "$REPO_ROOT")"
        echo "step trace-series-program '' autolowat trace $(q "$REPO_ROOT/conformance-tests/src/main/resources/dev/autolowat/conformance/a6-series-program.json") --backend native"
    fi
    echo 'exit $status'
} >"$SHARE/job.sh"

# ---- boot ------------------------------------------------------------------------------------
APPEND="console=ttyS0 root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000"
APPEND+=" ro init=$GUEST_INIT panic=-1"
QEMU=(qemu-system-x86_64 -accel tcg -cpu max -m "$MEMORY" -smp "$SMP" -nographic -no-reboot
      -nic none
      -kernel "$KERNEL" -append "$APPEND"
      -fsdev "local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap"
      -device virtio-9p-pci,fsdev=rootfs,mount_tag=root
      -fsdev "local,id=outfs,path=$SHARE,security_model=none,multidevs=remap"
      -device virtio-9p-pci,fsdev=outfs,mount_tag=out)

log "booting $(basename "$(dirname "$KERNEL")")/$(basename "$KERNEL") ($(cat "$(dirname "$KERNEL")/kernelrelease" 2>/dev/null || echo '?')) under QEMU TCG: -m $MEMORY -smp $SMP, timeout ${TIMEOUT}s"
if [[ -n "$CMD" ]]; then log "guest job: sh -c $CMD"
elif ((HAVE_CLI_ARGS)); then log "guest job: autolowat ${CLI_ARGS[*]}"
else log "guest job: autolowat probe; probe --json; report; report --policy autolowat_policy.o; trace x2 (Java under TCG: expect minutes)"; fi
((VERBOSE)) || log "console: $OUT_DIR/console.log (-v streams it)"

T0=$(date +%s)
set +e
if ((VERBOSE)); then
    timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 | tee "$CONSOLE"
    QEMU_RC=${PIPESTATUS[0]}
else
    timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$CONSOLE" 2>&1 &
    QPID=$!
    ticks=0
    while kill -0 "$QPID" 2>/dev/null; do
        sleep 1
        ticks=$((ticks + 1))
        ((ticks % 30 == 0)) || continue
        kill -0 "$QPID" 2>/dev/null || break
        last="$(grep -a 'autolowat-guest: ===' "$CONSOLE" | tail -n1 | tr -d '\r' || true)"
        log "guest running, $(($(date +%s) - T0)) s${last:+ (${last#autolowat-guest: })}"
    done
    wait "$QPID"
    QEMU_RC=$?
fi
set -e
T1=$(date +%s)

# ---- results ---------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
find "$OUT_DIR" -mindepth 1 -delete
cp -a "$SHARE/." "$OUT_DIR/"
rm -f "$OUT_DIR/job.sh"
cp "$SHARE/job.sh" "$OUT_DIR/guest-job.sh"
tr -d '\r' <"$CONSOLE" >"$OUT_DIR/console.log"
[[ -f "$KERNEL_INFO" ]] && cp "$KERNEL_INFO" "$OUT_DIR/kernel-build-info.txt"

INIT_AT="$(grep -a -o 'init started at uptime [0-9.]*' "$OUT_DIR/console.log" | awk '{print $5}' | head -n1 || true)"
{
    echo "kernel: $KERNEL ($(cat "$(dirname "$KERNEL")/kernelrelease" 2>/dev/null || echo '?'))"
    echo "qemu: -accel tcg -cpu max -m $MEMORY -smp $SMP; exit code $QEMU_RC"
    echo "wall seconds (QEMU start to exit): $((T1 - T0))"
    echo "boot to init (guest uptime): ${INIT_AT:-never reached} s"
    echo "steps (name, exit code, guest seconds):"
    sed 's/^/  /' "$OUT_DIR/steps.tsv" 2>/dev/null || echo "  none recorded"
} >"$OUT_DIR/summary.txt"

fail() {
    if ((VERBOSE == 0)); then
        echo "----- guest console (last 150 lines of $OUT_DIR/console.log) -----" >&2
        tail -n 150 "$OUT_DIR/console.log" >&2
        echo "----- end of guest console -----" >&2
    fi
    cat "$OUT_DIR/summary.txt" >&2
    die "$@"
}
if [[ $QEMU_RC -eq 124 || $QEMU_RC -eq 137 ]]; then
    fail "the guest did not finish within ${TIMEOUT}s and was killed" \
         "raise --timeout, or look at the console for a hang; results so far: $OUT_DIR"
fi
if [[ ! -f "$OUT_DIR/guest-status" ]]; then
    fail "the guest stopped without finishing its job (QEMU exit code $QEMU_RC)" \
         "the console above shows how far it got (kernel panic? init not reached? java failed to start?)"
fi
GUEST_STATUS="$(cat "$OUT_DIR/guest-status")"
((VERBOSE)) || { for f in probe.log autolowat.log cmd.log; do [[ -f "$OUT_DIR/$f" ]] && cat "$OUT_DIR/$f" >&2; done; true; }
[[ -f "$OUT_DIR/report.log" && $VERBOSE -eq 0 ]] && tail -n 60 "$OUT_DIR/report.log" >&2
cat "$OUT_DIR/summary.txt" >&2
if [[ "$GUEST_STATUS" != 0 ]]; then
    fail "a step of the guest job failed (steps.tsv above; logs in $OUT_DIR)"
fi
log "done: results in $OUT_DIR"
exit
}
