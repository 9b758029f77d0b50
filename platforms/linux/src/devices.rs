//! FromDevice, PollDevice and ToDevice on linux: the elements' generic
//! runtime over a shared [`HostDevice`](crate::net::HostDevice), through
//! [`Devices`].
//!
//! FromDevice and ToDevice that name the same device share one host
//! device: one TAP file or packet socket, one MAC, one set of counters.

use nfc_elements::devices::Devices;

use crate::platform::{Linux, SharedDevice};

impl Devices for Linux {
    type Device = SharedDevice;

    fn device(
        &mut self,
        name: &str,
        promisc: bool,
        allow_absent: bool,
    ) -> Result<(SharedDevice, u8), String> {
        let (device, index) = Linux::device(self, name, allow_absent)?;
        if promisc {
            device.borrow_mut().set_promisc()?;
        }
        Ok((device, index))
    }
}

nfc_elements::device_elements!(Linux);
