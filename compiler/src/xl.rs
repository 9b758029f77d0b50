//! The `xl` configuration that starts a xen image as a PVH domain:
//! `nfc run CONFIG --plat xen` writes it next to the image, prints it,
//! and, on a host with Xen's tools, runs `xl create -c` on it (the
//! domain's PV console on the terminal; Ctrl-] leaves it, `xl shutdown`
//! stops the VNF cleanly).
//!
//! A vif is `bridge:NAME` with an optional `,mac=XX:XX:XX:XX:XX:XX`
//! (default `00:16:3e:…`, Xen's own prefix, numbered by vif); the vifs
//! are the domain's `eth0`, `eth1`, … in order.

use std::fmt::Write;
use std::path::PathBuf;

/// One vif: the dom0 bridge its back end joins, and the MAC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vif {
    /// The bridge in dom0.
    pub bridge: String,
    /// The guest's MAC.
    pub mac: [u8; 6],
}

impl Vif {
    /// The `index`th vif from `spec`: `bridge:NAME[,mac=…]`.
    pub fn parse(spec: &str, index: usize) -> Result<Vif, String> {
        let (bridge, mac) = match spec.split_once(",mac=") {
            Some((b, m)) => (b, Some(m)),
            None => (spec, None),
        };
        let bridge = bridge
            .strip_prefix("bridge:")
            .filter(|b| {
                !b.is_empty()
                    && b.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            })
            .ok_or_else(|| {
                format!("`{spec}`: a vif is bridge:NAME[,mac=XX:XX:XX:XX:XX:XX] on --plat xen")
            })?;
        let mac = match mac {
            Some(m) => {
                nfc_dataplane::parse::ether(m)
                    .map_err(|e| format!("`{spec}`: {e}"))?
                    .0
            }
            None => [0x00, 0x16, 0x3e, 0x6e, 0x66, index as u8 + 1],
        };
        Ok(Vif {
            bridge: bridge.to_string(),
            mac,
        })
    }
}

/// A PVH domain for an image.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The domain's name.
    pub name: String,
    /// The image.
    pub kernel: PathBuf,
    /// Memory, MiB.
    pub memory_mib: u32,
    /// The vifs, `eth0` first.
    pub vifs: Vec<Vif>,
    /// Whether a reboot (`xl reboot`, or the VNF's own) starts the domain
    /// again (xl's `on_reboot = "restart"`) or ends it.
    pub restart_on_reboot: bool,
}

impl Domain {
    /// The xl configuration file's text.
    pub fn config(&self) -> String {
        let mut s = format!(
            "# The VNF {} as a Xen PVH domain (written by nfc run --plat xen).\n\
             name = \"{}\"\n\
             type = \"pvh\"\n\
             kernel = \"{}\"\n\
             memory = {}\n\
             vcpus = 1\n",
            self.name,
            self.name,
            self.kernel.display(),
            self.memory_mib
        );
        let vifs: Vec<String> = self
            .vifs
            .iter()
            .map(|v| {
                let m = v.mac;
                format!(
                    "'mac={:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x},bridge={}'",
                    m[0], m[1], m[2], m[3], m[4], m[5], v.bridge
                )
            })
            .collect();
        let _ = writeln!(s, "vif = [ {} ]", vifs.join(", "));
        // The image reads the TSC every round of its poll loop: where Xen
        // would emulate it (a host whose TSC it does not trust), each
        // read would trap to Xen.
        s.push_str("tsc_mode = \"native\"\n");
        let _ = writeln!(
            s,
            "on_poweroff = \"destroy\"\non_reboot = \"{}\"\non_crash = \"destroy\"",
            if self.restart_on_reboot {
                "restart"
            } else {
                "destroy"
            }
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_names_the_image_memory_and_vifs_in_order() {
        let d = Domain {
            name: "nfc-firewall".into(),
            kernel: "/srv/vnf/firewall.xen".into(),
            memory_mib: 16,
            vifs: vec![
                Vif::parse("bridge:xenbr0,mac=02:00:00:00:00:01", 0).unwrap(),
                Vif::parse("bridge:xenbr1", 1).unwrap(),
            ],
            restart_on_reboot: true,
        };
        let c = d.config();
        for line in [
            "name = \"nfc-firewall\"",
            "type = \"pvh\"",
            "kernel = \"/srv/vnf/firewall.xen\"",
            "memory = 16",
            "vcpus = 1",
            "vif = [ 'mac=02:00:00:00:00:01,bridge=xenbr0', 'mac=00:16:3e:6e:66:02,bridge=xenbr1' ]",
            "tsc_mode = \"native\"",
            "on_reboot = \"restart\"",
            "on_crash = \"destroy\"",
        ] {
            assert!(c.lines().any(|l| l == line), "{line} in:\n{c}");
        }
    }

    #[test]
    fn bad_vifs_say_what_a_vif_is() {
        for spec in ["tap:tap0", "bridge:", "bridge:a b", "bridge:x,mac=nope"] {
            let e = Vif::parse(spec, 0).unwrap_err();
            assert!(e.contains(spec), "{e}");
        }
        assert!(Vif::parse("tap:tap0", 0)
            .unwrap_err()
            .contains("bridge:NAME"));
    }
}
