//! The nfc compiler as a library: the bridge from the element registry
//! (`nfc-elements`) to the language front end (`nfc-graph`), and the
//! command-line interface's subcommands, the code generator and the
//! builder of generated pipelines.
#![forbid(unsafe_code)]

pub mod bench;
pub mod cli;
pub mod codegen;
pub mod compile;
pub mod registry;
