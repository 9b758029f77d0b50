//! Elements of the `icmp` group.

use crate::ElementSpec;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[];
