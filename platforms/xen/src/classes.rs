//! The element classes the xen platform provides itself: the devices.

/// Every class the xen platform provides.
pub const CLASSES: &[&str] = &["FromDevice", "PollDevice", "ToDevice"];
