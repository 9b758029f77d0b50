//! Files a configuration names (DNS zones, certificates), read from disk.
//!
//! A name is relative to the directory of the configuration file that
//! names it; a configuration with no file (standard input, `nfc click -e`)
//! names files relative to the current directory. `nfc click` and `nfc
//! check` read them here; `nfc compile` embeds the same paths into the
//! image ([`Disk::path`]).

use std::path::{Path, PathBuf};

use nfc_dataplane::files::ConfigFiles;

/// Configuration files read from disk, relative to one directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disk {
    /// The directory relative names are read from (absolute).
    dir: PathBuf,
}

impl Default for Disk {
    /// Names relative to the current directory.
    fn default() -> Disk {
        Disk::new(Path::new("."))
    }
}

impl Disk {
    /// Files relative to `dir`.
    pub fn new(dir: &Path) -> Disk {
        Disk {
            dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        }
    }

    /// Files relative to the directory of the configuration read from
    /// `config`, as diagnostics name it: a path, or a name in angle
    /// brackets (`<stdin>`, `<expr>`) or `-` for a configuration that is
    /// no file, whose files are relative to the current directory.
    pub fn beside(config: &str) -> Disk {
        if config == "-" || (config.starts_with('<') && config.ends_with('>')) {
            return Disk::default();
        }
        match Path::new(config).parent() {
            Some(dir) if !dir.as_os_str().is_empty() => Disk::new(dir),
            _ => Disk::default(),
        }
    }

    /// The absolute path of the file a configuration names `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl ConfigFiles for Disk {
    fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        let path = self.path(name);
        std::fs::read(&path).map_err(|e| {
            if Path::new(name).is_absolute() {
                format!("{name}: {e}")
            } else {
                format!("{name}: {e} (read as {})", path.display())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_to_the_configuration_directory() {
        let dir = std::env::temp_dir().join(format!("nfc-disk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("zones")).unwrap();
        std::fs::write(dir.join("zones/a.zone"), b"@ SOA").unwrap();
        let config = dir.join("dns.click");
        let disk = Disk::beside(config.to_str().unwrap());
        assert_eq!(disk.read("zones/a.zone").unwrap(), b"@ SOA");
        assert_eq!(disk.path("zones/a.zone"), dir.join("zones/a.zone"));
        let absolute = dir.join("zones/a.zone");
        assert_eq!(disk.read(absolute.to_str().unwrap()).unwrap(), b"@ SOA");
        let err = disk.read("zones/missing.zone").unwrap_err();
        assert!(err.starts_with("zones/missing.zone: "), "{err}");
        assert!(
            err.contains(&*dir.join("zones/missing.zone").to_string_lossy()),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn configurations_that_are_no_file_read_from_the_current_directory() {
        let here = std::env::current_dir().unwrap();
        for name in ["-", "<stdin>", "<expr>", "dns.click"] {
            assert_eq!(
                Disk::beside(name).path("a.zone"),
                here.join("a.zone"),
                "{name}"
            );
        }
    }
}
