//! Cross-crate tests live in tests/; this library holds what they share:
//! [`golden`], the generator of the golden tests' input packets, and
//! [`filter_gen`], the filter tests' packets and patterns; [`frames`], the
//! firewall tests' frames; [`firewall_scenario`], the firewall image's
//! frame-level test on any platform; [`wire`], the test's end of a NIC;
//! [`vm`], images booted in QEMU; [`count`], the boot tests' configuration
//! and checks; [`netns`], network namespaces for real clients;
//! [`unplugged`], shipped configurations driven frame by frame on the
//! generic runner.

pub mod count;
pub mod filter_gen;
pub mod firewall_scenario;
pub mod frames;
pub mod golden;
pub mod netns;
pub mod unplugged;
pub mod vm;
pub mod wire;
