//! FromDevice, PollDevice and ToDevice on linux: the elements' generic
//! runtime ([`FromDeviceOn`], [`ToDeviceOn`]) over a shared
//! [`HostDevice`](crate::net::HostDevice).
//!
//! FromDevice and ToDevice that name the same device share one host
//! device: one TAP file or packet socket, one MAC, one set of counters.

use nfc_dataplane::batch::Batch;
use nfc_dataplane::element::{Context, Element, HandlerError, Out, TaskResult};
use nfc_dataplane::packet::Packet;
use nfc_elements::devices::from_device::{self, FromDeviceOn};
use nfc_elements::devices::poll_device;
use nfc_elements::devices::to_device::{self, ToDeviceOn};

use crate::platform::{Linux, SharedDevice};

/// Implements [`Element`] for a wrapper by handing every call to its
/// field `.0`.
macro_rules! delegate_element {
    ($wrapper:ty) => {
        impl Element for $wrapper {
            #[inline]
            fn process(&mut self, cx: &Context, input: usize, p: &mut Packet) -> Out {
                self.0.process(cx, input, p)
            }

            #[inline]
            fn push(
                &mut self,
                cx: &Context,
                input: usize,
                batch: &mut Batch,
                others: &mut [Batch],
            ) {
                self.0.push(cx, input, batch, others)
            }

            #[inline]
            fn pull(&mut self, cx: &Context, output: usize, max: usize, batch: &mut Batch) {
                self.0.pull(cx, output, max, batch)
            }

            #[inline]
            fn task_wants(&self) -> usize {
                self.0.task_wants()
            }

            #[inline]
            fn run_task(
                &mut self,
                cx: &Context,
                batch: &mut Batch,
                others: &mut [Batch],
            ) -> TaskResult {
                self.0.run_task(cx, batch, others)
            }

            fn has_task(&self) -> bool {
                self.0.has_task()
            }

            fn set_ports(&mut self, ninputs: usize, noutputs: usize) {
                self.0.set_ports(ninputs, noutputs)
            }

            fn take_call(&mut self) -> Option<(String, String)> {
                self.0.take_call()
            }

            fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
                self.0.read_handler(name)
            }

            fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
                self.0.write_handler(name, value)
            }
        }
    };
}

/// Opens FromDevice's device on `plat`, promiscuous when asked.
fn from_device_on(
    plat: &mut Linux,
    config: from_device::FromDevice,
) -> Result<FromDeviceOn<SharedDevice>, String> {
    let (device, index) = plat.device(&config.devname, false)?;
    if config.promisc {
        device.borrow_mut().set_promisc()?;
    }
    Ok(FromDeviceOn::new(config, device, index))
}

/// FromDevice on linux.
#[derive(Debug)]
pub struct FromDevice(pub FromDeviceOn<SharedDevice>);

impl FromDevice {
    /// Parses `config` (FromDevice's syntax) and opens its device on
    /// `plat`, or shares it with the ToDevice that opened it.
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let config =
            from_device::FromDevice::configure(config).map_err(|e| format!("FromDevice: {e}"))?;
        from_device_on(plat, config).map(FromDevice)
    }
}

delegate_element!(FromDevice);

/// PollDevice on linux: FromDevice under Click's other name.
#[derive(Debug)]
pub struct PollDevice(pub FromDeviceOn<SharedDevice>);

impl PollDevice {
    /// Parses `config` (PollDevice's syntax, FromDevice's) and opens its
    /// device on `plat`.
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let config =
            poll_device::PollDevice::configure(config).map_err(|e| format!("PollDevice: {e}"))?;
        from_device_on(plat, config.0).map(PollDevice)
    }
}

delegate_element!(PollDevice);

/// ToDevice on linux.
#[derive(Debug)]
pub struct ToDevice(pub ToDeviceOn<SharedDevice>);

impl ToDevice {
    /// Parses `config` (ToDevice's syntax) and opens its device on `plat`,
    /// or shares it with the FromDevice that opened it. With
    /// `ALLOW_NONEXISTENT true`, a device that cannot be opened drops
    /// everything sent to it instead of failing the build.
    pub fn new(plat: &mut Linux, config: &str) -> Result<Self, String> {
        let config =
            to_device::ToDevice::configure(config).map_err(|e| format!("ToDevice: {e}"))?;
        let (device, _) = plat.device(&config.devname, config.allow_nonexistent)?;
        Ok(ToDevice(ToDeviceOn::new(config, device)))
    }
}

delegate_element!(ToDevice);
