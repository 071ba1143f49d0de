#!/bin/busybox sh
# PID 1 of the QEMU test guest started by run-in-qemu.sh (kernel argument init=<this file>).
#
# The root file system is the host's / over virtio-9p, read-only; busybox is the host's
# /bin/busybox (Debian package busybox-static). This script mounts what the SDK needs, mounts the
# writable share (9p tag "out") at /tmp/autolowat-out, runs the job the host wrote there
# (job.sh), records its exit code in guest-status, and powers the guest off. Every path used here
# exists on the host's /; the tmpfs on /tmp hides the host's /tmp.
BB=/bin/busybox
OUT=/tmp/autolowat-out
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8

say() { echo "autolowat-guest: $*"; }
uptime_s() { $BB cut -d' ' -f1 /proc/uptime; }
halt() {
    $BB sync
    $BB umount "$OUT" 2>/dev/null
    say "powering off"
    $BB poweroff -f
    # poweroff needs ACPI; without it the kernel halts. reboot ends QEMU (-no-reboot) instead.
    $BB reboot -f
    while :; do $BB sleep 60; done
}

$BB mount -t proc proc /proc
$BB mount -t sysfs sysfs /sys
$BB grep -q ' /dev devtmpfs ' /proc/mounts || $BB mount -t devtmpfs devtmpfs /dev
$BB mount -t tmpfs -o mode=1777 tmpfs /tmp
$BB mount -t cgroup2 cgroup2 /sys/fs/cgroup || say "WARNING: could not mount cgroup2 at /sys/fs/cgroup"
$BB hostname autolowat-guest
$BB ip link set lo up || say "WARNING: could not bring up lo"
say "init started at uptime $(uptime_s) s, kernel $($BB uname -r)"

$BB mkdir -p "$OUT"
if ! $BB mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "$OUT"; then
    say "ERROR: cannot mount the output share (9p tag 'out') at $OUT"
    halt
fi
echo "init $(uptime_s)" >"$OUT/guest-timing"
if [ ! -f "$OUT/job.sh" ]; then
    say "ERROR: no $OUT/job.sh written by the host"
    halt
fi

cd "$OUT"
$BB sh "$OUT/job.sh"
rc=$?
echo "end $(uptime_s)" >>"$OUT/guest-timing"
echo "$rc" >"$OUT/guest-status"
say "job finished with exit code $rc at uptime $(uptime_s) s"
halt
