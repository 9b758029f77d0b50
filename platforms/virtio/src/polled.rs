//! [`Polled`]: a transport that hides VIRTIO_F_EVENT_IDX from the driver.
//!
//! virtio-drivers 0.13.0 negotiates EVENT_IDX whenever the device offers
//! it, and then (a) cannot turn the device's interrupts off (it asks for
//! one at the next used buffer each time it takes one), and (b) decides
//! whether to notify with `avail_idx >= avail_event + 1` rather than the
//! specification's wrap-safe window test, so it kicks the device on every
//! buffer once the device's index lags. Measured on QEMU 10 (`nfc bench
//! --plat kvm`): two notifications and two interrupts per forwarded
//! frame. Without EVENT_IDX the driver falls back to the rings' flags:
//! `VRING_AVAIL_F_NO_INTERRUPT` keeps the device quiet (nfc polls), and
//! the device's `VRING_USED_F_NO_NOTIFY` spares kicks while it is already
//! processing a ring.

use virtio_drivers::transport::{DeviceStatus, DeviceType, InterruptStatus, Transport};
use virtio_drivers::{PhysAddr, Result};
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// VIRTIO_F_EVENT_IDX (virtio 1.2, 6: reserved feature bits).
const EVENT_IDX: u64 = 1 << 29;

/// Transport `T` with EVENT_IDX never offered to the driver.
#[derive(Debug)]
pub struct Polled<T>(pub T);

impl<T: Transport> Transport for Polled<T> {
    fn device_type(&self) -> DeviceType {
        self.0.device_type()
    }

    fn read_device_features(&mut self) -> u64 {
        self.0.read_device_features() & !EVENT_IDX
    }

    fn write_driver_features(&mut self, driver_features: u64) {
        self.0.write_driver_features(driver_features)
    }

    fn max_queue_size(&mut self, queue: u16) -> u32 {
        self.0.max_queue_size(queue)
    }

    fn notify(&mut self, queue: u16) {
        self.0.notify(queue)
    }

    fn get_status(&self) -> DeviceStatus {
        self.0.get_status()
    }

    fn set_status(&mut self, status: DeviceStatus) {
        self.0.set_status(status)
    }

    fn set_guest_page_size(&mut self, guest_page_size: u32) {
        self.0.set_guest_page_size(guest_page_size)
    }

    fn requires_legacy_layout(&self) -> bool {
        self.0.requires_legacy_layout()
    }

    fn queue_set(
        &mut self,
        queue: u16,
        size: u32,
        descriptors: PhysAddr,
        driver_area: PhysAddr,
        device_area: PhysAddr,
    ) {
        self.0
            .queue_set(queue, size, descriptors, driver_area, device_area)
    }

    fn queue_unset(&mut self, queue: u16) {
        self.0.queue_unset(queue)
    }

    fn queue_used(&mut self, queue: u16) -> bool {
        self.0.queue_used(queue)
    }

    fn ack_interrupt(&mut self) -> InterruptStatus {
        self.0.ack_interrupt()
    }

    fn read_config_generation(&self) -> u32 {
        self.0.read_config_generation()
    }

    fn read_config_space<V: FromBytes + IntoBytes>(&self, offset: usize) -> Result<V> {
        self.0.read_config_space(offset)
    }

    fn write_config_space<V: IntoBytes + Immutable>(
        &mut self,
        offset: usize,
        value: V,
    ) -> Result<()> {
        self.0.write_config_space(offset, value)
    }
}
