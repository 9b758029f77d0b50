//! The element classes the kvm platform provides itself: the devices.

/// Every class the kvm platform provides.
pub const CLASSES: &[&str] = &["FromDevice", "PollDevice", "ToDevice"];
