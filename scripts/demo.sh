#!/usr/bin/env bash
# The main job, end to end, as far as nfc goes today: build nfc, check the
# shipped VNF configs against the element registry, show one customer's
# override with -D, write each config's element graph as DOT, and compile a
# benchmark config into a generated pipeline and run it on linux; then
# compile the firewall into a KVM unikernel and boot it in QEMU (`nfc run
# configs/firewall.click --plat kvm`) with its NICs on two TAP devices between
# network namespaces, push allowed and denied traffic through it with ping,
# nc and hping3, change its rules while it runs through its ControlSocket on
# the serial console, stop it with SIGINT and explain the counters it
# prints. That last part needs root; it cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --locked --release -p nfc
nfc=target/release/nfc
out=target/demo
mkdir -p "$out"

for cfg in configs/*.click; do
    stem=$(basename "$cfg" .click)
    echo "\$ nfc check $cfg"
    "$nfc" check "$cfg"
    "$nfc" graph "$cfg" > "$out/$stem.dot"
    "$nfc" graph --format json "$cfg" > "$out/$stem.json"
    echo "  graph: $out/$stem.dot ($(grep -c -- '->' "$out/$stem.dot") connections)"
done

echo
echo "\$ nfc check -D PUBLIC_IP=203.0.113.7 configs/nat.click"
"$nfc" check -D PUBLIC_IP=203.0.113.7 configs/nat.click
echo "\$ nfc graph --format click -D PUBLIC_IP=203.0.113.7 configs/nat.click | grep IPRewriter"
"$nfc" graph --format click -D PUBLIC_IP=203.0.113.7 configs/nat.click | grep IPRewriter

echo
echo "A config with mistakes is reported in one run, with file:line:col:"
bad=$(mktemp --suffix=.click)
trap 'rm -f "$bad"' EXIT
printf 'src :: FromDevice(eth0);\nsrc -> Countr -> q :: Queue(CAPACITY lots) -> ToDevice(eth1);\n' > "$bad"
"$nfc" check --color never "$bad" || true
echo
echo "Compile a benchmark config into a native pipeline and run it (one core):"
echo "\$ nfc bench --runs 1 configs/bench/base-udp53-b32.click"
"$nfc" bench --runs 1 configs/bench/base-udp53-b32.click

if command -v dot >/dev/null; then
    dot -Tsvg "$out/firewall.dot" -o "$out/firewall.svg" && echo "rendered $out/firewall.svg"
fi

# ---------------------------------------------------------------------------
# The firewall for real: configs/firewall.click compiled into a unikernel
# (`--plat kvm`) and booted in QEMU (TCG unless NFC_ACCEL=kvm) with its NICs
# on two TAP devices, with real clients on either side, each in a network
# namespace of its own.
#
#   netns nfc-demo-inside      netns nfc-demo-fw (QEMU)     netns nfc-demo-outside
#   fwin 198.51.100.10 ==TAP== eth0 [firewall.kvm] eth1 ==TAP== fwout 203.0.113.1
#   (the published server)   198.51.100.1  203.0.113.2      (the upstream router,
#                                                            $GATEWAY, found by ARP)
echo
echo "== The firewall unikernel on TAP devices, with real traffic"
if [ "$(id -u)" -ne 0 ]; then
    echo "nfc: running the firewall on TAP devices in network namespaces needs root" >&2
    exit 1
fi
fw_ns=nfc-demo-fw in_ns=nfc-demo-inside out_ns=nfc-demo-outside
fw_log=$(mktemp) fw_pid=
fw_console=$(mktemp -u)   # a FIFO: what the demo types on the serial console
mkfifo "$fw_console"
cleanup_firewall() {
    if [ -n "$fw_pid" ]; then kill -KILL "$fw_pid" 2>/dev/null || true; fi
    for ns in "$fw_ns" "$in_ns" "$out_ns"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -f "$fw_log" "$fw_console"
}
trap 'rm -f "$bad"; cleanup_firewall' EXIT
for ns in "$fw_ns" "$in_ns" "$out_ns"; do
    ip netns del "$ns" 2>/dev/null || true   # left over from an interrupted run
    ip netns add "$ns"
    ip -n "$ns" link set lo up
done

# `ip netns exec` replaces itself with nfc, so $! is `nfc run`: it compiles
# the image, prints the QEMU command and runs it, with the image's serial
# console on its standard input and output; SIGINT makes it stop the VNF
# cleanly. QEMU creates the TAP devices in the firewall's namespace.
nics=(--nic tap:fwin,mac=02:00:00:00:00:01 --nic tap:fwout,mac=02:00:00:00:00:02)
echo "\$ nfc run configs/firewall.click --plat kvm ${nics[*]}   (in netns $fw_ns)"
ip netns exec "$fw_ns" "$nfc" run configs/firewall.click --plat kvm "${nics[@]}" \
    <"$fw_console" >"$fw_log" 2>&1 &
fw_pid=$!
exec 3>"$fw_console"   # the console stays open while the demo types into it
for _ in $(seq 3000); do   # compiling may take a while the first time: 5 min at most
    grep -q '^nfc: ready' "$fw_log" && break
    kill -0 "$fw_pid" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q '^nfc: ready firewall 2 nics' "$fw_log"; then
    cat "$fw_log" >&2
    echo "nfc: the firewall did not start" >&2
    exit 1
fi
sed 's/^/  /' "$fw_log"

echo "  firewall.kvm: $(stat -c %s "${TMPDIR:-/tmp}/nfc-run-firewall.kvm") bytes"

# QEMU created both TAP devices; hand their host sides to the
# namespaces: the protected server inside, the upstream router outside
# (the firewall's $GATEWAY, whose Ethernet address it asks for with ARP).
ip -n "$fw_ns" link set fwin netns "$in_ns"
ip -n "$fw_ns" link set fwout netns "$out_ns"
ip -n "$in_ns" addr add 198.51.100.10/24 dev fwin
ip -n "$in_ns" addr add 10.9.9.9/32 dev fwin          # a spoofed source, for one test
ip -n "$in_ns" link set fwin up
ip -n "$in_ns" route add default via 198.51.100.1
ip -n "$out_ns" addr add 203.0.113.1/24 dev fwout
ip -n "$out_ns" link set fwout up
ip -n "$out_ns" route add 198.51.100.0/24 via 203.0.113.2

# listening NS PROTO PORT: waits (at most 5 s) for a t(cp) or u(dp)
# listener on PORT in NS.
listening() {
    for _ in $(seq 100); do
        [ -n "$(ip netns exec "$1" ss -Hln"$2" "sport = :$3")" ] && return 0
        sleep 0.05
    done
    echo "nfc: no listener on port $3 in $1" >&2
    return 1
}
# The checks below print `passed` or `blocked`. A listener waits at the far
# end of every TCP and UDP check, so `blocked` can only be the firewall.
# ping_from NS ARGS...: is a ping from NS answered?
ping_from() {
    local ns=$1
    shift
    if timeout 10 ip netns exec "$ns" ping -n -c 2 -i 0.2 -W 1 "$@" >/dev/null 2>&1; then
        echo passed
    else
        echo blocked
    fi
}
# tcp_to SERVER_NS CLIENT_NS ADDR PORT: does a TCP client in CLIENT_NS get
# the line the server in SERVER_NS sends?
tcp_to() {
    local server reply
    echo "hello from $3 port $4" |
        timeout 10 ip netns exec "$1" nc.openbsd -l -N "$4" >/dev/null 2>&1 &
    server=$!
    listening "$1" t "$4"
    reply=$(timeout 5 ip netns exec "$2" nc.openbsd -N -w 2 "$3" "$4" </dev/null 2>/dev/null || true)
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    if [ "$reply" = "hello from $3 port $4" ]; then echo passed; else echo blocked; fi
}
# udp_to SERVER_NS CLIENT_NS ADDR PORT: does a datagram from CLIENT_NS
# reach the server in SERVER_NS?
udp_to() {
    local server got
    got=$(mktemp)
    timeout 3 ip netns exec "$1" nc.openbsd -u -l "$4" >"$got" 2>/dev/null &
    server=$!
    listening "$1" u "$4"
    echo "question for port $4" |
        timeout 5 ip netns exec "$2" nc.openbsd -u -w 1 "$3" "$4" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    if grep -q "question for port $4" "$got"; then echo passed; else echo blocked; fi
    rm -f "$got"
}
# syn_ack_in: does a TCP SYN-ACK from outside that answers no connection
# (hping3 crafts it) reach the server? tcpdump inside watches for it.
syn_ack_in() {
    local seen dump
    seen=$(mktemp)
    timeout 4 ip netns exec "$in_ns" tcpdump -l -n -i fwin -c 1 \
        'tcp src port 443 and dst port 40000' >"$seen" 2>/dev/null &
    dump=$!
    sleep 1
    timeout 5 ip netns exec "$out_ns" hping3 -q -c 3 -i u200000 -S -A -s 443 -k -p 40000 \
        198.51.100.10 >/dev/null 2>&1 || true
    wait "$dump" 2>/dev/null || true
    if grep -q . "$seen"; then echo passed; else echo blocked; fi
    rm -f "$seen"
}
# control LINE...: types Click ControlSocket commands on the firewall's
# serial console and prints what the console says in the next seconds.
control() {
    local before
    before=$(stat -c %s "$fw_log")
    printf '%s\r\n' "$@" >&3
    sleep 2
    tail -c +$((before + 1)) "$fw_log" | tr -d '\r'
}
failures=0
# verdict EXPECTED GOT WHAT: prints one line; counts the unexpected.
verdict() {
    if [ "$1" = "$2" ]; then
        printf '  %-8s %s\n' "$2" "$3"
    else
        printf '  %-8s %s  (UNEXPECTED: should be %s)\n' "$2" "$3" "$1"
        failures=$((failures + 1))
    fi
}

echo
echo "Traffic through it (inside: the server 198.51.100.10; outside: 203.0.113.1):"
verdict passed "$(ping_from "$out_ns" 203.0.113.2)" \
    "outside pings the firewall itself (the firewall answers)"
verdict passed "$(ping_from "$in_ns" 203.0.113.1)" \
    "inside pings outside (the echo replies belong to a flow the firewall recorded)"
verdict blocked "$(ping_from "$in_ns" -I 10.9.9.9 203.0.113.1)" \
    "inside pings outside from 10.9.9.9, not an inside address (anti-spoofing)"
verdict passed "$(ping_from "$out_ns" 198.51.100.10)" \
    "outside pings the published server"
verdict passed "$(tcp_to "$in_ns" "$out_ns" 198.51.100.10 80)" \
    "outside → server TCP port 80 (HTTP, published)"
verdict blocked "$(tcp_to "$in_ns" "$out_ns" 198.51.100.10 23)" \
    "outside → server TCP port 23 (telnet, not published; its listener waits in vain)"
verdict passed "$(tcp_to "$out_ns" "$in_ns" 203.0.113.1 443)" \
    "inside → outside TCP port 443 (HTTPS; the answers are the flow's return traffic)"
verdict blocked "$(tcp_to "$out_ns" "$in_ns" 203.0.113.1 8080)" \
    "inside → outside TCP port 8080 (not on the outbound allow-list)"
verdict blocked "$(syn_ack_in)" \
    "outside → server a TCP SYN-ACK that answers no connection (hping3; stateful)"
verdict passed "$(udp_to "$in_ns" "$out_ns" 198.51.100.10 53)" \
    "outside → server UDP port 53 (DNS, published)"
verdict blocked "$(udp_to "$in_ns" "$out_ns" 198.51.100.10 161)" \
    "outside → server UDP port 161 (SNMP, not published)"

echo
echo "Per-rule counters of the inbound allow-list, and the flows it let in:"
control "READ inbound.rules" "READ served.flows" | sed 's/^/  /'
echo
echo "Change the rules while it runs: publish port 8080 on the server."
verdict blocked "$(tcp_to "$in_ns" "$out_ns" 198.51.100.10 8080)" \
    "outside → server TCP port 8080, before"
echo "\$ control 'WRITE inbound.config alow dst tcp port 8080'   (a typo)"
answer=$(control "WRITE inbound.config alow dst tcp port 8080")
echo "$answer" | sed 's/^/  /'
if grep -q "unknown action" <<<"$answer"; then got=refused; else got=accepted; fi
verdict refused "$got" "a rule list with a mistake; the old rules stay"
rules='1 src net 198.51.100.0/24, 1 src net 0.0.0.0/8 or src net 127.0.0.0/8 or src net 224.0.0.0/3, allow dst host 198.51.100.10 and (dst tcp port 22 or 80 or 443 or 8080), allow dst host 198.51.100.10 and dst port 53, allow dst host 198.51.100.10 and icmp type echo, allow dst host 198.51.100.10 and (icmp type unreachable or icmp type timeexceeded), 1 all'
echo "\$ control 'WRITE inbound.config $rules'"
control "WRITE inbound.config $rules" | sed 's/^/  /'
verdict passed "$(tcp_to "$in_ns" "$out_ns" 198.51.100.10 8080)" \
    "outside → server TCP port 8080, after"
verdict blocked "$(tcp_to "$in_ns" "$out_ns" 198.51.100.10 23)" \
    "outside → server TCP port 23, still not published"
control "READ inbound.rules" | sed 's/^/  /'

echo
echo "Stop it with SIGINT; it prints its counters:"
kill -INT "$fw_pid"
for _ in $(seq 300); do kill -0 "$fw_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$fw_pid" 2>/dev/null; then
    echo "nfc: the firewall did not stop on SIGINT" >&2
    exit 1
fi
wait "$fw_pid" || { echo "nfc: the firewall failed:" >&2; cat "$fw_log" >&2; exit 1; }
fw_pid=
sed -n '/^nfc: stopped/,$p' "$fw_log" | grep -E '^nfc: stopped|^(allowed|denied)_(in|out)\.count|^(bad_ip|ttl_expired)\.count|^(inside|outside)/.*Device.*count' | sed 's/^/  /'
counter() { sed -n "s/^$1\\.count //p" "$fw_log"; }
echo
echo "What happened: the firewall answered ARP and pings for its own addresses"
echo "and found the upstream router with ARP; it let $(counter allowed_out) packets out of the inside"
echo "network (new flows its outbound allow-list allows, and the published"
echo "server's answers) and $(counter allowed_in) in (the return traffic of flows it recorded, and"
echo "ping, HTTP, DNS and, once the rules changed, port 8080 to the published"
echo "server); it dropped and counted $(counter denied_in) packets from outside (unpublished ports,"
echo "the SYN-ACK of no connection) and $(counter denied_out) from inside (a spoofed source, a port"
echo "not on the outbound allow-list)."
if [ "$failures" -ne 0 ]; then
    echo "nfc: $failures of the checks above did not go as expected" >&2
    exit 1
fi
