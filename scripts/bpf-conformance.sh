#!/usr/bin/env bash
# Runs the bpf_conformance ISA suite (github.com/Alan-Jowett/bpf_conformance) against the
# simulator's eBPF VM through `autolowat vm-run`, in both execution modes (--jit, --interpret),
# at cpu v4 with the suite's default groups, and prints one result table per mode.
#
#   scripts/bpf-conformance.sh DIR      DIR = a checkout of bpf_conformance
#
# The suite's runner is built in DIR/build when it is not there (needs cmake, a C++20 compiler,
# Boost program_options/filesystem headers and libraries, and the external/elfio submodule):
#   apt-get install cmake g++ libboost-dev libboost-program-options-dev libboost-filesystem-dev
# The autolowat jar is built (offline, tests skipped) when it is not there.
#
# Exit status: 0 when every failure in both modes is one of the documented deliberate rejections
# (docs/programs.md, "The VM against the bpf_conformance suite"), 1 otherwise, 2 on setup errors.
set -euo pipefail

if [[ $# -ne 1 || ! -d "$1/tests" ]]; then
    echo "usage: $0 DIR   (DIR: a bpf_conformance checkout, with its tests/ directory)" >&2
    exit 2
fi
DIR=$(cd "$1" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/conformance-tests/target/autolowat.jar"
RUNNER="$DIR/build/bin/bpf_conformance_runner"

# The deliberate rejections: shifts by an immediate outside [0, width) are refused at load, as the
# Linux verifier refuses them ("invalid shift"); the suite's own kernel CI excludes these tests.
DELIBERATE='^(lsh|rsh|arsh)(32|64)-imm-(high|neg)$'

if [[ ! -x "$RUNNER" ]]; then
    echo "building the bpf_conformance runner in $DIR/build ..." >&2
    if [[ ! -f "$DIR/external/elfio/CMakeLists.txt" ]]; then
        echo "$DIR/external/elfio is empty: run 'git submodule update --init' in $DIR" >&2
        exit 2
    fi
    cmake -S "$DIR" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$DIR/build" --target bpf_conformance_runner -j "$(nproc)" >/dev/null
fi
if [[ ! -f "$JAR" ]]; then
    echo "building $JAR ..." >&2
    (cd "$ROOT" && mvn -q -B -o -pl conformance-tests -am package -DskipTests)
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The plugin: the runner starts it once per test as PLUGIN [MEMORY] [plugin options].
# A JVM per test: C1 only and class data sharing keep the start-up short.
# --verbose says how each program ran (translated, or interpreted and why): that line goes to a
# log only, the rest of standard error (a rejection, an abort) to the runner.
cat >"$WORK/plugin" <<EOF
#!/usr/bin/env bash
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$JAR" vm-run "\$@" --verbose \
    2> >(tee -a "\$VM_RUN_LOG" | grep -Ev '^autolowat vm-run: [0-9]+ slots, ' >&2)
EOF
chmod +x "$WORK/plugin"

status=0
for mode in jit interpret; do
    out="$WORK/$mode.txt"
    # the runner exits 1 when any test fails; the table below says which
    export VM_RUN_LOG="$WORK/$mode.modes"
    : >"$VM_RUN_LOG"
    "$RUNNER" --test_file_directory "$DIR/tests" --plugin_path "$WORK/plugin" --plugin_options "--$mode" \
        --cpu_version v4 >"$out" 2>&1 || true
    if ! grep -q '^Passed ' "$out"; then
        echo "the runner did not finish in mode --$mode:" >&2
        cat "$out" >&2
        exit 2
    fi
    pass=$(grep -c '^PASS: ' "$out" || true)
    fail=$(grep -c '^\(FAIL\|ERROR\): ' "$out" || true)
    skip=$(grep -c '^SKIP: ' "$out" || true)
    deliberate=0
    unexpected=()
    while IFS= read -r line; do
        name=$(sed -E 's/^[A-Z]+: "([^"]*)".*/\1/' <<<"$line")
        name=$(basename "$name" .data)
        if [[ "$name" =~ $DELIBERATE ]]; then
            deliberate=$((deliberate + 1))
        else
            unexpected+=("$line")
        fi
    done < <(grep '^\(FAIL\|ERROR\): ' "$out" || true)
    echo "## autolowat vm-run --$mode"
    echo
    echo "| tests | run | pass | fail: deliberate rejections | fail: other | skipped |"
    echo "|---|---|---|---|---|---|"
    echo "| $((pass + fail + skip)) | $((pass + fail)) | $pass | $deliberate | ${#unexpected[@]} | $skip |"
    echo
    grep '^Passed ' "$out"
    # the line --verbose prints: "autolowat vm-run: N slots, JIT" or "..., INTERPRETER (interpreted: why)"
    loaded=$(grep -Ec '^autolowat vm-run: [0-9]+ slots, ' "$VM_RUN_LOG" || true)
    translated=$(grep -Ec '^autolowat vm-run: [0-9]+ slots, JIT$' "$VM_RUN_LOG" || true)
    echo "Programs loaded: $loaded; run translated to JVM bytecode: $translated."
    if [[ $mode == jit ]] && grep -q 'INTERPRETER (interpreted: ' "$VM_RUN_LOG"; then
        echo "Interpreted in --jit mode:"
        grep 'INTERPRETER (interpreted: ' "$VM_RUN_LOG" | sed 's/^vm-run: /  /' | sort | uniq -c
    fi
    if ((deliberate > 0)); then
        echo
        echo "Deliberate rejections (out-of-range shift immediates, refused at load like the Linux verifier):"
        grep '^\(FAIL\|ERROR\): ' "$out" | sed -E 's/^[A-Z]+: "([^"]*)".*/\1/' | xargs -n1 basename \
            | sed 's/\.data$//' | grep -E "$DELIBERATE" | paste -sd' ' - || true
    fi
    if ((${#unexpected[@]} > 0)); then
        status=1
        echo
        echo "Other failures:"
        printf '%s\n' "${unexpected[@]}"
    fi
    if grep -q '^SKIP: ' "$out"; then
        echo
        echo "Skipped by the runner (groups outside the default set at cpu v4):"
        grep '^SKIP: ' "$out" | sed -E 's/^SKIP: "([^"]*)" (.*)/\1: \2/' | sed "s|$DIR/tests/||"
    fi
    echo
done
exit $status
