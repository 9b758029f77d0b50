//! Elements of the `tcpudp` group.

use crate::ElementSpec;

/// The specs of this group's elements.
pub const SPECS: &[&ElementSpec] = &[];
