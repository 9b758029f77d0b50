//! The element classes the arm64 platform provides itself: the devices.

/// Every class the arm64 platform provides.
pub const CLASSES: &[&str] = &["FromDevice", "PollDevice", "ToDevice"];
