//! A two-vif domain as the image scenarios reach it
//! (`nfc_tests::firewall_scenario`, `nfc_tests::nat_scenario`): frames
//! through its vifs, Click's ControlSocket protocol on its PV console.

use nfc_tests::frames::{Side, Vnf, Wires};
use nfc_tests::vm::Reply;
use nfc_tests::wire::{self, Answer};

use crate::console::PvConsole;
use crate::dom0::Domain;
use crate::vif::{self, Vif};
use crate::{must, QUIET, WAIT};

/// A domain, reached through its vifs and its PV console.
pub struct XenVnf {
    /// The domain.
    pub dom: Domain,
    /// eth0 (inside), eth1 (outside).
    pub vifs: [Vif; 2],
    console: PvConsole,
    /// How the hosts around it answer its ARP requests.
    answer: Answer,
}

impl XenVnf {
    /// Domain `dom` (ready, its vifs connected), whose ARP requests are
    /// answered by `answer`.
    pub fn new(dom: Domain, answer: Answer) -> XenVnf {
        XenVnf {
            vifs: [must(dom.vif(0)), must(dom.vif(1))],
            console: must(dom.console()),
            dom,
            answer,
        }
    }
}

impl Wires for XenVnf {
    fn send(&mut self, side: Side, frame: &[u8]) -> [Vec<Vec<u8>>; 2] {
        self.send_all(&[(side, frame)])
    }

    fn send_all(&mut self, frames: &[(Side, &[u8])]) -> [Vec<Vec<u8>>; 2] {
        wire::exchange(&self.vifs, frames, QUIET, self.answer)
    }
}

impl Vnf for XenVnf {
    fn shortest_frame(&self) -> usize {
        vif::SHORTEST
    }

    fn ask(&mut self, command: &str) -> Reply {
        must(self.console.ask(command, WAIT))
    }

    fn stop(mut self) -> String {
        must(self.console.type_in("WRITE stop\r\n"));
        must(self.dom.wait_gone(WAIT).map_err(|e| {
            format!(
                "{e} after `WRITE stop`; its console:\n{}",
                self.dom.console_log()
            )
        }));
        self.dom.console_log()
    }
}
