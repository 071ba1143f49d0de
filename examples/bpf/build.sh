#!/usr/bin/env bash
# Compile the example BPF programs (*.c here) into the committed objects (*.o here), the way
# cilium/ebpf keeps testdata/*.elf: `mvn verify` reads the .o files and needs no clang.
#
#   examples/bpf/build.sh            compile every *.c into its .o (clang-19, installed if missing)
#   examples/bpf/build.sh --check    compile into a temporary directory and compare with the
#                                    committed objects; exit 1 naming each one that differs
#
# Objects are built without DWARF (llvm-strip -g keeps .BTF and .BTF.ext, which loaders need),
# so they do not depend on the directory they were built in. See docs/objects.md.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
STRIP=${LLVM_STRIP:-llvm-strip-19}
if ! command -v "$CLANG" >/dev/null || ! command -v "$STRIP" >/dev/null; then
    echo "installing clang-19 and llvm-19 (Debian packages)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-19 llvm-19 libbpf-dev >&2
fi
[[ -f /usr/include/bpf/bpf_helpers.h ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q libbpf-dev >&2
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
OUT=.
CHECK=0
if [[ "${1:-}" == "--check" ]]; then
    CHECK=1
    OUT=$(mktemp -d)
    trap 'rm -rf "$OUT"' EXIT
fi
status=0
for src in *.c; do
    obj="$OUT/${src%.c}.o"
    "$CLANG" -target bpfel -mcpu=v3 -O2 -g -Wall -Werror -fdebug-prefix-map="$PWD"=. -I. -I"/usr/include/$MULTIARCH" \
        -c "$src" -o "$obj"
    "$STRIP" -g "$obj"
    if ((CHECK)) && ! cmp -s "$obj" "${src%.c}.o"; then
        echo "out of date: examples/bpf/${src%.c}.o (run examples/bpf/build.sh)" >&2
        status=1
    fi
done
exit $status
