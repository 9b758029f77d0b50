//! Cross-crate tests live in tests/; this library holds what they share:
//! [`clicktest`], Click's test-file format and its runner against `nfc click`;
//! [`golden`], the generator of the golden tests' input packets, and
//! [`filter_gen`], the filter tests' packets and patterns; [`frames`], the
//! firewall and NAT tests' frames; [`firewall_scenario`] and
//! [`nat_scenario`], the firewall and NAT images' frame-level tests on any
//! platform; [`wire`], the test's end of a NIC; [`vm`], images booted in
//! QEMU, and [`qemu_vnf`], a two-NIC image there as the scenarios reach
//! it; [`count`], the boot tests' configuration and checks; [`netns`],
//! network namespaces for real clients; [`unplugged`], shipped
//! configurations driven frame by frame on the generic runner;
//! [`dns_oracle`], real DNS servers (NSD, Knot) and the comparison of
//! their answers with nfc's.

pub mod clicktest;
pub mod count;
pub mod dns_oracle;
pub mod filter_gen;
pub mod firewall_scenario;
pub mod frames;
pub mod golden;
pub mod nat_scenario;
pub mod netns;
pub mod qemu_vnf;
pub mod unplugged;
pub mod vm;
pub mod wire;
