//! nfc's dataplane runtime (no_std + alloc).
//!
//! - [`packet`]: packets with headroom and Click's annotations, in a fixed
//!   buffer pool; [`batch`]: up to 32 of them moving together.
//! - [`element`]: the element model (per-packet `process`, batch `push`,
//!   `pull`, tasks, handlers); [`device`]: the `NetDevice` trait drivers
//!   implement.
//! - [`pipeline`]: a running configuration and the poll loop; [`router`]:
//!   the generic runner, elements held as `dyn Element`.
//!
//! - [`args`] splits a configuration string into arguments the way Click's
//!   `cp_argvec` does, keeping each argument's byte range, and provides
//!   [`args::Args`], the reader that collects every configuration error
//!   with the span it refers to.
//! - [`parse`] holds the typed value parsers (integers, booleans, strings,
//!   bytes, IPv4/IPv6 addresses and prefixes, Ethernet addresses,
//!   durations, bandwidths, sizes), each a plain
//!   `fn(&str) -> Result<T, ParseError>`.
#![no_std]
#![deny(unsafe_code)]

extern crate alloc;

pub mod args;
pub mod batch;
pub mod checksum;
pub mod device;
pub mod element;
pub mod files;
pub mod packet;
pub mod parse;
pub mod pipeline;
pub mod router;

/// `String`, for [`delegate_element!`]'s expansion in `std` crates.
#[doc(hidden)]
pub use alloc::string::String as __String;
