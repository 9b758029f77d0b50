#!/usr/bin/env bash
# Builds the dom0 initramfs for the Xen tests.
#
#   tests/xen/build-initrd.sh FETCHED PROBE OUT FILE...
#
# FETCHED is the folder tests/xen/fetch.sh printed; PROBE the xen-probe
# binary (built for this host: glibc, dynamically linked); OUT the
# gzip'd newc cpio to write; each FILE (an image, an xl config) goes to
# /guests. The initramfs holds busybox, xl, xenstored, xenconsoled,
# xen-init-dom0 and the xenstore-* tools, with the libraries they and the
# probe load (the Xen ones from the packages, libc and the rest from this
# host: a Debian bookworm like dom0's packages), libgcc_s (xl's
# pthread_cancel loads it), dom0's modules (/etc/nfc/modules, in load
# order), the vif hotplug script, /etc/xen/xl.conf (no autoballoon), and
# tests/xen/init as /init. Nothing is installed on this machine: the cpio
# is the fetched busybox's.
set -euo pipefail

die() {
    echo "tests/xen/build-initrd.sh: $*" >&2
    exit 1
}

[ $# -ge 3 ] || die "usage: build-initrd.sh FETCHED PROBE OUT FILE..."
fetched=$1 probe=$2 out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
root=$fetched/root
[ -f "$fetched/complete" ] || die "$fetched is not a folder tests/xen/fetch.sh made"
[ -x "$probe" ] || die "no probe binary $probe (cargo build -p nfc-tests --bin xen-probe)"
for pair in ldd:libc-bin gzip:gzip strip:binutils; do
    type -P "${pair%%:*}" >/dev/null || die "${pair%%:*} is missing (Debian package ${pair#*:})"
done
kernel=$(cat "$fetched/kernel")
busybox=$root/bin/busybox

d=$(mktemp -d "${TMPDIR:-/tmp}/nfc-dom0.XXXXXX")
trap 'rm -rf "$d"' EXIT
mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,var/log,etc/xen/scripts,etc/nfc,guests}
mkdir -p "$d/usr/lib/xen-4.17/bin" "$d/lib/modules/$kernel"

cp "$busybox" "$d/bin/"
for applet in $("$busybox" --list); do
    [ -e "$d/bin/$applet" ] || ln -s busybox "$d/bin/$applet"
done

# copy_libs FILE: every library FILE loads, to the same path in the
# initramfs (the packages' libraries found first, then this host's).
copy_libs() {
    local libs lib at
    libs=$(LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu" ldd "$1") ||
        die "ldd $1 failed"
    if grep -q 'not found' <<<"$libs"; then
        die "$1 needs libraries this host lacks: $(grep 'not found' <<<"$libs" | tr -s ' \t' ' ')"
    fi
    for lib in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$libs"); do
        at=${lib#"$root"}
        [ -e "$d$at" ] && continue
        mkdir -p "$d$(dirname "$at")"
        cp -L "$lib" "$d$at"
    done
}

for b in xl xenstored xenconsoled xen-init-dom0; do
    cp "$root/usr/lib/xen-4.17/bin/$b" "$d/usr/lib/xen-4.17/bin/"
    copy_libs "$root/usr/lib/xen-4.17/bin/$b"
done
# xenstore-read, -write, -ls, … are links to xenstore.
cp -a "$root"/usr/bin/xenstore "$root"/usr/bin/xenstore-* "$d/usr/bin/"
copy_libs "$root/usr/bin/xenstore"
strip -o "$d/usr/bin/xen-probe" "$probe"
copy_libs "$probe"
gcc_s=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ && !found { print $NF; found = 1 }')
[ -n "$gcc_s" ] || die "no libgcc_s.so.1 on this host (Debian package libgcc-s1)"
mkdir -p "$d$(dirname "$gcc_s")"
cp -L "$gcc_s" "$d$gcc_s"

# dom0's modules, in load order (each after those it needs).
modules=(
    drivers/xen/xen-privcmd.ko drivers/xen/xenfs/xenfs.ko drivers/xen/xen-evtchn.ko
    drivers/xen/xen-gntdev.ko drivers/xen/xen-gntalloc.ko
    net/llc/llc.ko net/802/stp.ko net/bridge/bridge.ko
    drivers/net/xen-netback/xen-netback.ko
)
for m in "${modules[@]}"; do
    [ -f "$root/lib/modules/$kernel/kernel/$m" ] || die "no module $m in the fetched kernel $kernel"
    mkdir -p "$d/lib/modules/$kernel/kernel/$(dirname "$m")"
    cp "$root/lib/modules/$kernel/kernel/$m" "$d/lib/modules/$kernel/kernel/$m"
done
printf 'kernel/%s\n' "${modules[@]}" >"$d/etc/nfc/modules"

printf 'autoballoon="off"\n' >"$d/etc/xen/xl.conf"
cp "$here/vif-bridge" "$d/etc/xen/scripts/vif-bridge"
cp "$here/init" "$d/init"
for f in "$@"; do
    cp "$f" "$d/guests/"
done

mkdir -p "$(dirname "$out")"
(cd "$d" && find . | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
