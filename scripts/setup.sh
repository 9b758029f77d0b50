#!/usr/bin/env bash
# Installs what nfc's build and tests need on a fresh Debian machine with
# rustup: the bare-metal Rust targets, the rustfmt/clippy components, and
# the Debian packages the tests call (tcpdump: the filter oracle, and the
# captures of the router and NAT tests; valgrind: instructions per packet;
# iproute2: network namespaces; procps: `kill`, which sends `nfc click`
# its SIGINT in a test; iputils-ping, netcat-openbsd, curl: real clients
# through the router, the firewall and the NAT in network namespaces;
# hping3: the demo's crafted TCP segment (a SYN-ACK of no flow) at the
# firewall; binutils: `strip`, for the stripped size `nfc bench --plat kvm`
# reports; nsd, knot: the DNS oracles the DNS server is compared with;
# bind9-dnsutils, knot-dnsutils: dig and kdig, real DNS clients; dnsperf:
# the DNS benchmarks; qemu-system-x86, qemu-system-arm: the kvm and
# arm64 unikernel images, QEMU 10 from bookworm-backports on Debian 12).
# The Xen tests install nothing: tests/xen/fetch.sh downloads Debian's
# Xen, kernel and busybox packages with `apt-get download`, which needs
# apt's package lists (fetched here with `apt-get update` when apt knows
# no Xen 4.17 yet).
# Safe to run again; it only adds what is missing.
set -euo pipefail

# Programs only (`type -P`): a shell builtin such as `kill` does not count.
need() { type -P "$1" >/dev/null 2>&1; }

if ! need cargo || ! need rustup; then
    echo "nfc: cargo and rustup are required (https://rustup.rs; Debian: the rustup package)" >&2
    exit 1
fi

installed_targets=$(rustup target list --installed)
for t in x86_64-unknown-none aarch64-unknown-none; do
    grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
done
installed_components=$(rustup component list --installed)
for c in rustfmt clippy; do
    grep -q "^$c" <<<"$installed_components" || rustup component add "$c"
done

# Debian packages: command -> package.
missing=()
for pair in tcpdump:tcpdump valgrind:valgrind ip:iproute2 kill:procps \
    ping:iputils-ping nc.openbsd:netcat-openbsd curl:curl hping3:hping3 strip:binutils \
    nsd:nsd knotd:knot dig:bind9-dnsutils kdig:knot-dnsutils dnsperf:dnsperf; do
    cmd=${pair%%:*} pkg=${pair#*:}
    need "$cmd" || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
done
# QEMU for the images (x86_64 for kvm, aarch64 for arm64): Debian 12's own
# is 7.2; its backports suite has 10.x.
backports=()
qemu_missing=()
for pair in qemu-system-x86_64:qemu-system-x86 qemu-system-aarch64:qemu-system-arm; do
    need "${pair%%:*}" || qemu_missing+=("${pair#*:}")
done
if [ ${#qemu_missing[@]} -gt 0 ]; then
    missing+=("${qemu_missing[@]}")
    if grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
        backports=(-t bookworm-backports)
        if [ "$(id -u)" -eq 0 ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
            printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                >/etc/apt/sources.list.d/nfc-backports.sources
        fi
    fi
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "nfc: missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${backports[@]}" "${missing[@]}"
fi

# apt's lists, for tests/xen/fetch.sh's `apt-get download`.
knows_xen() { [[ $(apt-cache policy xen-hypervisor-4.17-amd64 2>/dev/null) == *"Candidate: "[0-9]* ]]; }
if ! knows_xen && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
fi
knows_xen ||
    echo "nfc: warning: apt knows no xen-hypervisor-4.17-amd64 (Debian 12's), which the Xen tests download (run: sudo apt-get update)" >&2
