//! nfc's element library: one Click element per file, filed by domain as
//! Click files them, and the registry of their specs.
//!
//! Every element carries Click's class name and Click's manual shape in its
//! file's doc header. The registry ([`all`], [`lookup`]) is what `nfc check`
//! hands to the language front end, and what `nfc elements` prints.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod classes;
pub mod devices;
pub mod dns;
pub mod ethernet;
#[cfg(test)]
pub(crate) mod harness;
pub mod host;
pub mod icmp;
pub mod ip;
pub mod spec;
pub mod standard;
pub mod tcpudp;

pub use spec::{ElementSpec, Ports};

/// The element groups, each a folder of this crate.
const GROUPS: &[&[&ElementSpec]] = &[
    standard::SPECS,
    devices::SPECS,
    ethernet::SPECS,
    ip::SPECS,
    icmp::SPECS,
    tcpudp::SPECS,
    host::SPECS,
    dns::SPECS,
];

/// Every element class nfc knows, group by group.
pub fn all() -> impl Iterator<Item = &'static ElementSpec> {
    GROUPS.iter().flat_map(|g| g.iter().copied())
}

/// The whole registry as the generic runner's
/// [`Pipeline`](nfc_dataplane::pipeline::Pipeline) answers class questions
/// from ([`Router::set_registry`](nfc_dataplane::router::Router::set_registry)).
pub const REGISTRY: nfc_dataplane::router::Registry = nfc_dataplane::router::Registry {
    handlers: |class| lookup(class).map(|spec| spec.handlers),
    classes: || all().map(|spec| spec.class).collect(),
};

/// The spec of the class named `class` (case-sensitive, as in Click).
pub fn lookup(class: &str) -> Option<&'static ElementSpec> {
    all().find(|s| s.class == class)
}
