//! The nfc compiler as a library: the bridge from the element registry
//! (`nfc-elements`) to the language front end (`nfc-graph`), the
//! command-line interface's subcommands, the code generator and the
//! builder of generated pipelines, and the builder of configurations for
//! dataplane's generic runner (`nfc click`).
#![forbid(unsafe_code)]

pub mod bench;
pub mod cli;
pub mod click;
pub mod codegen;
pub mod compile;
pub mod generic;
pub mod qemu;
pub mod registry;
pub mod vmbench;
pub mod xl;
