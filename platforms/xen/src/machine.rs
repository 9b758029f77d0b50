//! [`XenGuest`]: a Xen PVH domain under the shared image layer
//! ([`nfc_virtio::image`]): the PV console (and Xen's debug port), the TSC
//! clock, RDSEED/RDRAND, `control/shutdown` in xenstore, the vifs as
//! netfront NICs, and SCHEDOP_shutdown to stop.
//!
//! Set-up, in order: the hypercall page, the PV console (from then on
//! every console line also goes to its ring, and a fault or panic shuts
//! the domain down as crashed), the shared info page, the grant table,
//! xenstore and a watch on `control/shutdown`, then every vif (before the
//! image layer sizes its packet pool from what the heap has left). A
//! failure before the vifs prints why and shuts down as crashed; a vif
//! that does not connect is the image's device error.
//!
//! Idle: when the poll loop has found no work for a while, the domain
//! blocks in `SCHEDOP_poll` on its event channels (the vifs' — each
//! receive ring asks netback to notify the next frame when it finds none
//! —, the console's and xenstore's) for at most [`IDLE_SLEEP_NS`], so an
//! idle VNF leaves its CPU to the others.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use nfc_arch_x86_64::pvh::TscClock;
use nfc_arch_x86_64::{console as port_console, cpu, exceptions, BootInfo};
use nfc_dataplane::packet::PacketPool;
use nfc_virtio::heap;
use nfc_virtio::image::{Image, Machine};

use crate::console;
use crate::grants::GrantTable;
use crate::hypercall::{self, ShutdownReason};
use crate::netfront::Netfront;
use crate::shared::SharedInfo;
use crate::xenstore::{Link, Xenstore};

/// The xen platform: the shared image on a Xen PVH domain.
pub type Xen = Image<XenGuest>;

/// Empty rounds of the poll loop before it sleeps.
const IDLE_ROUNDS: u32 = 1024;
/// The longest sleep when idle, ns.
pub const IDLE_SLEEP_NS: u64 = 1_000_000;
/// How long xenstore waits block for at most, ns.
const STORE_WAIT_NS: u64 = 10_000_000;
/// The watch token for `control/shutdown`.
const SHUTDOWN_TOKEN: &str = "nfc-shutdown";

/// xenstore's event channel, with the clock to wait by.
pub struct StoreLink {
    port: u32,
    shared: SharedInfo,
    clock: TscClock,
}

impl Link for StoreLink {
    fn notify(&mut self) {
        hypercall::evtchn_send(self.port);
    }

    fn now(&self) -> u64 {
        self.clock.ns_at(cpu::rdtsc())
    }

    fn wait(&mut self) {
        if !self.shared.take_pending(self.port) {
            hypercall::poll(&[self.port], self.shared.system_time() + STORE_WAIT_NS);
            self.shared.take_pending(self.port);
        }
    }
}

/// A Xen PVH domain.
pub struct XenGuest {
    boot: BootInfo,
    shared: SharedInfo,
    store: Xenstore<StoreLink>,
    /// The vifs, connected while the heap is still free (their buffers
    /// come before the packet pool takes its share), or why not.
    vifs: Option<Result<Vec<(String, Netfront)>, String>>,
    /// The event channels an idle domain sleeps on.
    wake: Vec<u32>,
    /// Empty poll-loop rounds in a row.
    idle_rounds: u32,
    /// What the toolstack asked for, for the stop.
    requested: Cell<ShutdownReason>,
}

/// The fatal stop: the domain shut down as crashed (a halt would read as
/// a poweroff to Xen).
fn crashed() -> ! {
    hypercall::shutdown(ShutdownReason::Crash)
}

/// Prints why set-up failed and shuts down as crashed.
fn give_up(what: &str) -> ! {
    port_console::write(format!("nfc: xen: {what}\nnfc: stopped xen set-up error\n").as_bytes());
    crashed()
}

impl XenGuest {
    /// Sets up the domain `boot` describes (see the module's doc); faults
    /// first if the command line asks (`nfc.crash=`).
    pub fn new(boot: BootInfo) -> XenGuest {
        if let Err(e) = hypercall::init() {
            port_console::write(format!("nfc: {e}: this image runs on Xen only\n").as_bytes());
            cpu::halt_forever();
        }
        port_console::set_fatal_stop(crashed);
        if console::init() {
            port_console::add_sink(console::write);
        }
        exceptions::crash_if_asked(&boot.cmdline);
        let shared =
            SharedInfo::map().unwrap_or_else(|e| give_up(&format!("shared info: error {e}")));
        let mut grants = GrantTable::map().unwrap_or_else(|e| give_up(&e));
        let param = |index, what: &str| {
            hypercall::hvm_param(index)
                .unwrap_or_else(|e| give_up(&format!("no {what} (error {e})")))
        };
        let (pfn, port) = (
            param(hypercall::PARAM_STORE_PFN, "xenstore page"),
            param(hypercall::PARAM_STORE_EVTCHN, "xenstore event channel") as u32,
        );
        let link = StoreLink {
            port,
            shared,
            clock: boot.clock(),
        };
        // SAFETY: Xen maps the xenstore ring at this page (below 4 GiB,
        // identity mapped); only this client uses it.
        let mut store = unsafe { Xenstore::new((pfn << 12) as *mut u8, link) };
        if let Err(e) = store.watch("control/shutdown", SHUTDOWN_TOKEN) {
            give_up(&format!("watching control/shutdown: {e}"));
        }
        let console_port = hypercall::hvm_param(hypercall::PARAM_CONSOLE_EVTCHN).unwrap_or(0);
        let mut wake = alloc::vec![port];
        if console_port != 0 {
            wake.push(console_port as u32);
        }
        let vifs = connect_vifs(&mut store, &mut grants);
        if let Ok(vifs) = &vifs {
            wake.extend(vifs.iter().map(|(_, nic)| nic.port()));
        }
        XenGuest {
            boot,
            shared,
            store,
            vifs: Some(vifs),
            wake,
            idle_rounds: 0,
            requested: Cell::new(ShutdownReason::Poweroff),
        }
    }
}

/// Every vif of `device/vif`, in number order, connected.
fn connect_vifs(
    store: &mut Xenstore<StoreLink>,
    grants: &mut GrantTable,
) -> Result<Vec<(String, Netfront)>, String> {
    let mut vifs: Vec<u32> = match store.directory("device/vif") {
        Ok(names) => names.iter().filter_map(|n| n.parse().ok()).collect(),
        Err(_) => Vec::new(), // no vif at all
    };
    vifs.sort_unstable();
    let mut found = Vec::new();
    for vif in vifs {
        let nic = Netfront::connect(store, grants, &format!("{vif}"))
            .map_err(|e| format!("vif {vif}: {e}"))?;
        found.push((format!("vif/{vif}"), nic));
    }
    Ok(found)
}

impl Machine for XenGuest {
    type Nic = Netfront;
    const NIC_KIND: &'static str = "netfront";

    fn console_write(bytes: &[u8]) {
        port_console::write(bytes);
    }

    fn console_read() -> Option<u8> {
        console::read_byte()
    }

    fn now(&self) -> u64 {
        self.boot.ns_since_entry(cpu::rdtsc())
    }

    fn random(&mut self) -> Option<u64> {
        cpu::random_u64()
    }

    /// `xl shutdown` (and `xl reboot`) write `poweroff` (`reboot`) to
    /// `control/shutdown`; the domain answers by clearing it.
    fn shutdown_requested(&mut self) -> Option<&'static str> {
        loop {
            let (path, token) = match self.store.take_watch_event() {
                Ok(Some(event)) => event,
                _ => return None,
            };
            if token != SHUTDOWN_TOKEN || !path.ends_with("control/shutdown") {
                continue;
            }
            let asked = self.store.read("control/shutdown").unwrap_or_default();
            let (reason, why) = match asked.as_str() {
                "poweroff" | "halt" => (ShutdownReason::Poweroff, "xen shutdown request"),
                "reboot" => (ShutdownReason::Reboot, "xen reboot request"),
                _ => continue, // cleared, or a suspend nfc cannot do
            };
            let _ = self.store.write(0, "control/shutdown", "");
            self.requested.set(reason);
            return Some(why);
        }
    }

    /// The vifs [`XenGuest::new`] connected, in number order.
    fn nics(&mut self, _pool: &'static PacketPool) -> Result<Vec<(String, Netfront)>, String> {
        self.vifs.take().unwrap_or_else(|| Ok(Vec::new()))
    }

    fn clock(&self) -> String {
        format!("TSC {} MHz", self.boot.tsc_hz / 1_000_000)
    }

    fn heap_usage(&self) -> (usize, usize) {
        heap::usage()
    }

    /// After [`IDLE_ROUNDS`] empty rounds, clears the pending events;
    /// after one more, sleeps until one comes or [`IDLE_SLEEP_NS`] pass.
    /// (The round in between lets every receive ring ask for its event
    /// after the clearing, so that no frame waits for the timeout.)
    fn idle(&mut self) {
        self.idle_rounds += 1;
        if self.idle_rounds == IDLE_ROUNDS {
            for &port in &self.wake {
                self.shared.take_pending(port);
            }
        } else if self.idle_rounds > IDLE_ROUNDS {
            hypercall::poll(&self.wake, self.shared.system_time() + IDLE_SLEEP_NS);
            self.idle_rounds = 0;
        }
    }

    fn stop(&self, failed: bool) -> ! {
        hypercall::shutdown(if failed {
            ShutdownReason::Crash
        } else {
            self.requested.get()
        })
    }
}
