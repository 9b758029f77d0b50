#!/usr/bin/env bash
# Runs every nfc test: formatting, lints, the no_std builds, and the test
# suite (unit tests, the language corpus, Click's configs, round trips).
# Set-up included: run it on a fresh machine as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
export NFC_SHARED="${NFC_SHARED:-$(cd .. && pwd)/shared}"

scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

for target in x86_64-unknown-none aarch64-unknown-none; do
    step "no_std build of elements, dataplane and the virtio glue for $target"
    cargo build --locked -p nfc-dataplane -p nfc-elements -p nfc-virtio --target "$target"
done

step "cargo clippy of the x86_64 image crates (kvm, xen) for x86_64-unknown-none"
cargo clippy --locked -p nfc-arch-x86_64 -p nfc-virtio -p nfc-platform-kvm -p nfc-platform-xen --target x86_64-unknown-none -- -D warnings

step "cargo clippy of the arm64 image crates for aarch64-unknown-none"
cargo clippy --locked -p nfc-virtio -p nfc-platform-arm64 --target aarch64-unknown-none -- -D warnings

step "cargo test"
cargo test --workspace --locked
