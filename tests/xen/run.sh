#!/usr/bin/env bash
# Runs the Xen tests: real Xen 4.17 (Debian's) inside QEMU/TCG, dom0 a
# Debian kernel with a busybox initramfs, our images as PVH domains.
#
#   tests/xen/run.sh OUT PROBE FILE...
#
# OUT is a folder for the initramfs (dom0-initrd.gz), the serial log
# (serial.log) and QEMU's own messages (qemu.log); PROBE the xen-probe
# binary; each FILE goes to dom0's /guests: the images, <name>.xen, and
# their xl configs, <name>.cfg (kernel = "/guests/<name>.xen"), for
# domains named firewall (configs/firewall.click), nat (configs/nat.click)
# and bridge (tests/kvm/bridge.click). `cargo test -p nfc-tests --test xen` builds
# the images, their configs and the probe, and runs this.
#
# Fetches the packages (tests/xen/fetch.sh, cached), builds the initramfs,
# boots QEMU once (-accel tcg -cpu max: KVM cannot run Xen here; with
# -cpu EPYC,-monitor, which the lab found faster, 30-45 % of the runs saw a
# domain die of a triple fault right after a VM exit (an intercepted RDTSC
# or a hypercall), never under -cpu max in 5 runs; NFC_XEN_CPU picks
# another model) and waits, at most
# NFC_XEN_TIMEOUT seconds (default 900), for dom0 to power off. Every
# test prints `@@RESULT <name> PASS` or `@@RESULT <name> FAIL <reason>`
# on the serial console, figures `@@FIGURE <name> <n>`, dom0 `@@DONE` at
# the end. NFC_XEN_TESTS=a,b runs only those tests; NFC_XEN_SEED=0x…
# replays the malformed test's frames of an earlier run. Prints the @@ lines
# and exits 0 when dom0 finished and no test failed.
set -euo pipefail

die() {
    echo "tests/xen/run.sh: $*" >&2
    exit 1
}

[ $# -ge 2 ] || die "usage: run.sh OUT PROBE FILE..."
out=$1 probe=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
type -P qemu-system-x86_64 >/dev/null ||
    die "qemu-system-x86_64 is missing (Debian package qemu-system-x86)"

fetched=$("$here/fetch.sh" | tail -n 1)
mkdir -p "$out"
"$here/build-initrd.sh" "$fetched" "$probe" "$out/dom0-initrd.gz" "$@"

dom0_args="console=hvc0 earlyprintk=xen rdinit=/init quiet loglevel=4 ipv6.disable=1"
[ -n "${NFC_XEN_SEED:-}" ] && dom0_args+=" nfc.seed=$NFC_XEN_SEED"
# (A comma in -initrd separates modules; ",," stands for one.)
[ -n "${NFC_XEN_TESTS:-}" ] && dom0_args+=" nfc.tests=${NFC_XEN_TESTS//,/,,}"
log=$out/serial.log
rm -f "$log"
status=0
timeout "${NFC_XEN_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -cpu "${NFC_XEN_CPU:-max}" -m 2G -smp 2 \
    -kernel "$fetched/xen.elf" \
    -append "console=com1 com1=115200 dom0_mem=512M,max:512M loglvl=all guest_loglvl=all noreboot" \
    -initrd "$fetched/vmlinuz $dom0_args,$out/dom0-initrd.gz" \
    -display none -vga none -monitor none -nodefaults -no-reboot \
    -serial "file:$log" </dev/null >"$out/qemu.log" 2>&1 || status=$?
[ "$status" -eq 124 ] && echo "tests/xen/run.sh: QEMU killed after ${NFC_XEN_TIMEOUT:-900} s" >&2
marks=$(tr -d '\r' <"$log" | grep '^@@' || true)
[ -z "$marks" ] || echo "$marks"
grep -qx '@@DONE' <<<"$marks" || die "dom0 did not finish (QEMU status $status); the serial log: $log"
! grep -q '^@@RESULT .* FAIL' <<<"$marks" || die "a test failed; the serial log: $log"
