#!/usr/bin/env bash
# Installs what nfc's build and tests need on a fresh Debian machine with
# rustup: the bare-metal Rust targets and the rustfmt/clippy components.
# Safe to run again; it only adds what is missing.
set -euo pipefail

need() { command -v "$1" >/dev/null 2>&1; }

if ! need cargo || ! need rustup; then
    echo "nfc: cargo and rustup are required (https://rustup.rs; Debian: the rustup package)" >&2
    exit 1
fi

installed_targets=$(rustup target list --installed)
for t in x86_64-unknown-none; do
    grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
done
installed_components=$(rustup component list --installed)
for c in rustfmt clippy; do
    grep -q "^$c" <<<"$installed_components" || rustup component add "$c"
done
