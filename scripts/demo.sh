#!/usr/bin/env bash
# The main job, end to end, as far as nfc goes today: build nfc, check the
# shipped VNF configs against the element registry, show one customer's
# override with -D, write each config's element graph as DOT, and compile a
# benchmark config into a generated pipeline and run it on linux.
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
