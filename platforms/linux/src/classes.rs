//! The element classes the linux platform provides itself (devices, pcap
//! files, control sockets), by Click class name: the platform's half of
//! what `nfc_elements::classes` is for the platform-independent classes.

use nfc_dataplane::element::Element;

use crate::platform::Linux;

macro_rules! classes {
    ($($class:ident),* $(,)?) => {
        /// Every class the linux platform provides, in order.
        pub const CLASSES: &[&str] = &[$(stringify!($class)),*];

        /// Builds an element of platform class `class` from `config` on
        /// `plat`, boxed for the generic runner; `None` when the class is
        /// not one of the platform's ([`CLASSES`]).
        pub fn build(
            plat: &mut Linux,
            class: &str,
            config: &str,
        ) -> Option<Result<Box<dyn Element>, String>> {
            match class {
                $(stringify!($class) => Some(
                    crate::$class::new(plat, config).map(|e| Box::new(e) as Box<dyn Element>)
                ),)*
                _ => None,
            }
        }
    };
}

classes! {
    FromDevice,
    ToDevice,
    PollDevice,
    FromDump,
    ToDump,
    FromIPSummaryDump,
    ToIPSummaryDump,
    ControlSocket,
}

#[cfg(test)]
mod tests {
    use super::*;
    use nfc_dataplane::packet::PacketPool;

    #[test]
    fn builds_platform_classes_only() {
        let mut plat = Linux::new(PacketPool::new(4));
        let path = std::env::temp_dir().join(format!("nfc-classes-{}.pcap", std::process::id()));
        let config = path.to_str().unwrap();
        let dump = build(&mut plat, "ToDump", config).expect("a platform class");
        assert!(dump.is_ok());
        drop(dump);
        assert!(path.is_file(), "ToDump created its file");
        let _ = std::fs::remove_file(&path);
        let err = build(&mut plat, "FromDump", "/nonexistent/nfc.pcap")
            .expect("a platform class")
            .err()
            .expect("a missing file fails");
        assert!(err.contains("FromDump"), "{err}");
        assert!(build(&mut plat, "Counter", "").is_none());
        for class in CLASSES {
            assert!(nfc_elements::lookup(class).is_some(), "{class} has a spec");
        }
    }
}
