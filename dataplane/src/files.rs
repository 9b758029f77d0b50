//! Files a configuration names: DNS zones, certificates, keys.
//!
//! An image has no file system, so `nfc compile` embeds every file an
//! element's configuration names and the element reads it at boot from
//! [`Embedded`]; on linux (`nfc click`, `nfc run`) and in `nfc check` the
//! files are read from disk, relative to the configuration's directory.
//! Elements that need files take a `&dyn ConfigFiles` when they are
//! configured; how a class says which files its configuration names is the
//! element registry's business (`nfc_elements::classes`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Where an element's configuration files come from.
pub trait ConfigFiles {
    /// The contents of file `name`, written as the configuration names it,
    /// or why it cannot be read.
    fn read(&self, name: &str) -> Result<Vec<u8>, String>;
}

/// Files held in the image: `(name as the configuration writes it,
/// contents)`, as generated code embeds them.
#[derive(Clone, Copy, Debug)]
pub struct Embedded(pub &'static [(&'static str, &'static [u8])]);

impl ConfigFiles for Embedded {
    fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, data)| data.to_vec())
            .ok_or_else(|| format!("{name}: not embedded in this image"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_are_found_by_the_name_the_configuration_uses() {
        static FILES: [(&str, &[u8]); 1] = [("zones/example.zone", b"@ IN SOA ...")];
        let files = Embedded(&FILES);
        assert_eq!(files.read("zones/example.zone").unwrap(), b"@ IN SOA ...");
        let err = files.read("other.zone").unwrap_err();
        assert!(err.contains("other.zone"), "{err}");
    }
}
