//! The element classes the kvm platform provides itself (none yet: the
//! virtio-net FromDevice/ToDevice come with the virtio glue).

/// Every class the kvm platform provides.
pub const CLASSES: &[&str] = &[];
