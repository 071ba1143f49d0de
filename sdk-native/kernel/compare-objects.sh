#!/bin/sh
# In the QEMU guest (busybox sh): load every committed BPF object (examples/bpf/*.o) with the SDK
# (`autolowat objdump FILE.o --load-and-pin DIR`) and with libbpf (`bpftool prog loadall`), then
# require the kernel's translated programs (`bpftool prog dump xlated`) to be identical once map ids
# are replaced by map names (docs/objects.md, issue #11). Run by run-in-qemu.sh's default job;
# needs $JAVA, $JAR, $JAVA_OPTS and $OUT from the job. Usage: compare-objects.sh REPO
set -u
REPO=$1
BB=/bin/busybox
BPFTOOL=/usr/sbin/bpftool
[ -x "$BPFTOOL" ] || { echo "compare-objects: no $BPFTOOL on the host (apt-get install bpftool)"; exit 1; }
$BB mount -t bpf bpf /sys/fs/bpf 2>/dev/null
status=0
# map[id:N] -> map[NAME]: ids differ between two loads, names do not
with_names() {
    for id in $($BB grep -o 'map\[id:[0-9]*\]' "$1" | $BB sed 's/[^0-9]//g' | $BB sort -u); do
        name=$($BPFTOOL map show id "$id" | $BB sed -n 's/.* name \([^ ]*\).*/\1/p' | $BB head -n 1)
        $BB sed -i "s/map\[id:$id\]/map[$name]/g" "$1"
    done
}
for obj in "$REPO"/examples/bpf/*.o; do
    base=$($BB basename "$obj" .o)
    sdk=/sys/fs/bpf/sdk-$base
    lib=/sys/fs/bpf/libbpf-$base
    $BB mkdir -p "$sdk" "$lib"
    # shellcheck disable=SC2086
    if ! "$JAVA" $JAVA_OPTS -jar "$JAR" objdump "$obj" --load-and-pin "$sdk" >"$OUT/$base.sdk-load.log" 2>&1; then
        echo "FAIL $base: the SDK did not load it:"; $BB cat "$OUT/$base.sdk-load.log"; status=1; continue
    fi
    if ! $BPFTOOL prog loadall "$obj" "$lib" >"$OUT/$base.libbpf-load.log" 2>&1; then
        echo "FAIL $base: bpftool did not load it:"; $BB tail -n 20 "$OUT/$base.libbpf-load.log"; status=1; continue
    fi
    for p in "$sdk"/*; do
        prog=$($BB basename "$p")
        a="$OUT/$base.$prog.sdk.xlated"
        b="$OUT/$base.$prog.libbpf.xlated"
        $BPFTOOL prog dump xlated pinned "$p" >"$a"
        $BPFTOOL prog dump xlated pinned "$lib/$prog" >"$b"
        with_names "$a"
        with_names "$b"
        if $BB cmp -s "$a" "$b"; then
            echo "SAME $base/$prog: $($BB wc -l <"$a") lines of xlated program, SDK = libbpf"
        else
            echo "DIFF $base/$prog:"; $BB diff "$b" "$a" | $BB head -n 40; status=1
        fi
    done
    $BB rm -rf "$sdk" "$lib"
done
exit $status
