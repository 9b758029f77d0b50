//! Cross-crate tests live in tests/; this library holds what they share:
//! [`golden`], the generator of the golden tests' input packets.

pub mod golden;
