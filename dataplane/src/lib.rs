//! nfc's dataplane runtime (no_std + alloc).
//!
//! Today: the argument splitter and the typed configuration parsers that
//! elements use in `configure`, both on the host (`nfc check`) and at boot.
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
pub mod parse;
