#!/usr/bin/env bash
# Fetches what the Xen tests boot, from Debian bookworm's packages, without
# installing anything on this machine: `apt-get download` the packages and
# `dpkg -x` them into a cache folder.
#
#   Xen 4.17's hypervisor (xen.elf: QEMU's -kernel, a multiboot ELF),
#   xen-utils-4.17 and the libraries xl needs (xl, xenstored, xenconsoled,
#   xen-init-dom0), xenstore-utils, busybox-static, and the current bookworm
#   kernel (vmlinuz: dom0, and the modules netback and the bridge need).
#
# The kernel is whatever `linux-image-amd64` depends on today
# (linux-image-6.1.0-NN-amd64), never a pinned NN. The cache folder is
# ${NFC_XEN_CACHE:-$HOME/.cache/nfc/xen}/<key>, the key a hash of every
# package's version, so a second run downloads nothing and a new version
# gets a new folder (older ones are removed once it is complete).
#
# Prints the folder on standard output, last line. It holds:
#   xen.elf  vmlinuz  root/ (the packages unpacked)  versions (name=version)
#   kernel (the kernel's release, e.g. 6.1.0-56-amd64)
set -euo pipefail

die() {
    echo "tests/xen/fetch.sh: $*" >&2
    exit 1
}

for pair in apt-get:apt apt-cache:apt dpkg-deb:dpkg zcat:gzip sha256sum:coreutils; do
    type -P "${pair%%:*}" >/dev/null || die "${pair%%:*} is missing (Debian package ${pair#*:})"
done

# The kernel package linux-image-amd64 stands for, as apt sees it now.
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ && !found { print $2; found = 1 }') || true
[ -n "$kernel_pkg" ] ||
    die "apt knows no linux-image-amd64 (or it names no linux-image-*-amd64): run 'apt-get update' (a Debian bookworm machine with its main suite in the apt sources)"
kernel_release=${kernel_pkg#linux-image-}

packages=(
    xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils
    libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenmisc4.17
    libxenstore4 libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1
    libyajl2 busybox-static "$kernel_pkg"
)

# Each package's candidate version: the cache key, and what is downloaded.
declare -A candidate
while read -r p v; do
    candidate[$p]=$v
done < <(apt-cache policy "${packages[@]}" 2>/dev/null |
    awk '/^[^ ]/ { sub(/:$/, "", $1); p = $1 } $1 == "Candidate:" { print p, $2 }')
versions=()
for p in "${packages[@]}"; do
    v=${candidate[$p]:-}
    if [ -z "$v" ] || [ "$v" = "(none)" ]; then
        die "apt has no candidate version of $p: run 'apt-get update' (Debian bookworm's main suite is needed)"
    fi
    versions+=("$p=$v")
done

cache=${NFC_XEN_CACHE:-$HOME/.cache/nfc/xen}
key=$(printf '%s\n' "${versions[@]}" | sha256sum | cut -c1-16)
dir=$cache/$key
if [ -f "$dir/complete" ]; then
    echo "$dir"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/debs"
echo "tests/xen/fetch.sh: downloading ${#packages[@]} packages into $dir" >&2
# As root, apt hands downloads to its sandbox user, who cannot write here.
sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
if ! (cd "$work/debs" && apt-get download -q "${sandbox[@]}" "${versions[@]}" >&2); then
    die "apt-get download failed (above): no network to the Debian mirror, or apt's lists are stale (run 'apt-get update')"
fi
for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/root" || die "dpkg -x $deb failed"
done
rm -rf "$work/debs"
# Of the kernel's modules, dom0 loads only the Xen drivers, netback and the
# bridge (with llc and stp): keep those, not the other 400 MB.
modules=$work/root/lib/modules/$kernel_release/kernel
mkdir "$work/keep"
for m in drivers/xen drivers/net/xen-netback net/llc net/802 net/bridge; do
    mkdir -p "$work/keep/$(dirname "$m")"
    mv "$modules/$m" "$work/keep/$m" || die "no $m in $kernel_pkg's modules"
done
rm -rf "$modules"
mv "$work/keep" "$modules"

# QEMU's multiboot loader wants the hypervisor as a plain 32-bit ELF.
zcat "$work/root/boot/xen-4.17-amd64.gz" >"$work/xen.elf" ||
    die "no boot/xen-4.17-amd64.gz in xen-hypervisor-4.17-amd64"
cp "$work/root/boot/vmlinuz-$kernel_release" "$work/vmlinuz" ||
    die "no boot/vmlinuz-$kernel_release in $kernel_pkg"
printf '%s\n' "${versions[@]}" >"$work/versions"
echo "$kernel_release" >"$work/kernel"
touch "$work/complete"

# Another run may have finished first; either copy is whole.
if mv -T "$work" "$dir" 2>/dev/null; then
    trap - EXIT
else
    [ -f "$dir/complete" ] || die "cannot move the download to $dir"
fi
# Older versions' folders are of no more use.
for old in "$cache"/*/; do
    [ "${old%/}" = "$dir" ] || rm -rf "${old%/}"
done
echo "$dir"
