//! virtio-rng: 64 bits of entropy from the host's entropy device, for a
//! machine whose CPU has no random number instruction (arm64 without
//! RNDR). The driver is virtio-drivers' `VirtIORng`, on [`IdentityHal`];
//! it is set up, asked once and let go.

use alloc::format;
use alloc::string::String;

use virtio_drivers::device::rng::VirtIORng;
use virtio_drivers::transport::{DeviceType, Transport};

use crate::hal::IdentityHal;

/// Requests made before giving up on a device that answers with fewer
/// bytes than asked for (QEMU's gives all 8 at once).
const REQUESTS: usize = 8;

/// Eight bytes from the entropy device behind `transport`, as a
/// little-endian number. `Err` when the transport holds another kind of
/// device, the device cannot be set up, or it gives fewer than 8 bytes
/// in 8 requests. Each request waits for the device's answer
/// (virtio-drivers spins until it comes; QEMU answers at once).
pub fn read_u64<T: Transport>(transport: T) -> Result<u64, String> {
    let kind = transport.device_type();
    if kind != DeviceType::EntropySource {
        return Err(format!("virtio-rng: the device is a {kind:?} device"));
    }
    let mut rng = VirtIORng::<IdentityHal, T>::new(transport)
        .map_err(|e| format!("virtio-rng: setting up: {e}"))?;
    let mut bytes = [0u8; 8];
    let mut got = 0;
    for _ in 0..REQUESTS {
        if got == bytes.len() {
            break;
        }
        got += rng
            .request_entropy(&mut bytes[got..])
            .map_err(|e| format!("virtio-rng: reading: {e}"))?
            .min(bytes.len() - got);
    }
    if got < bytes.len() {
        return Err(format!(
            "virtio-rng: {got} bytes of 8 in {REQUESTS} requests"
        ));
    }
    Ok(u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    use virtio_drivers::transport::{DeviceStatus, InterruptStatus};
    use virtio_drivers::{PhysAddr, Result};
    use zerocopy::{FromBytes, Immutable, IntoBytes};

    /// An entropy device that answers each request when notified, with
    /// at most `per_request` bytes counting up from 1.
    struct FakeRng {
        device_type: DeviceType,
        per_request: u32,
        next: u8,
        status: DeviceStatus,
        /// The queue: size, descriptor table, available ring, used ring.
        queue: Option<(u16, PhysAddr, PhysAddr, PhysAddr)>,
        /// Available-ring entries answered.
        seen: u16,
    }

    impl FakeRng {
        fn new(device_type: DeviceType, per_request: u32) -> FakeRng {
            FakeRng {
                device_type,
                per_request,
                next: 1,
                status: DeviceStatus::empty(),
                queue: None,
                seen: 0,
            }
        }
    }

    impl Transport for FakeRng {
        fn device_type(&self) -> DeviceType {
            self.device_type
        }
        fn read_device_features(&mut self) -> u64 {
            1 << 32 // VIRTIO_F_VERSION_1
        }
        fn write_driver_features(&mut self, _features: u64) {}
        fn max_queue_size(&mut self, _queue: u16) -> u32 {
            8
        }
        fn notify(&mut self, _queue: u16) {
            let (size, desc, avail, used) = self.queue.expect("the queue is set up");
            // SAFETY: the addresses are the driver's rings and buffers
            // (IdentityHal: an address is a pointer), which the driver
            // does not touch while it waits for the answer.
            unsafe {
                let avail_idx = core::ptr::read_volatile((avail + 2) as *const u16);
                while self.seen != avail_idx {
                    let slot = avail + 4 + 2 * u64::from(self.seen % size);
                    let head = core::ptr::read_volatile(slot as *const u16);
                    let d = desc + 16 * u64::from(head);
                    let addr = core::ptr::read_volatile(d as *const u64);
                    let len = core::ptr::read_volatile((d + 8) as *const u32);
                    let n = len.min(self.per_request);
                    for i in 0..u64::from(n) {
                        core::ptr::write_volatile((addr + i) as *mut u8, self.next);
                        self.next = self.next.wrapping_add(1);
                    }
                    let used_idx = core::ptr::read_volatile((used + 2) as *const u16);
                    let elem = used + 4 + 8 * u64::from(used_idx % size);
                    core::ptr::write_volatile(elem as *mut u32, u32::from(head));
                    core::ptr::write_volatile((elem + 4) as *mut u32, n);
                    core::ptr::write_volatile((used + 2) as *mut u16, used_idx.wrapping_add(1));
                    self.seen = self.seen.wrapping_add(1);
                }
            }
        }
        fn get_status(&self) -> DeviceStatus {
            self.status
        }
        fn set_status(&mut self, status: DeviceStatus) {
            self.status = status;
        }
        fn set_guest_page_size(&mut self, _size: u32) {}
        fn requires_legacy_layout(&self) -> bool {
            false
        }
        fn queue_set(
            &mut self,
            _queue: u16,
            size: u32,
            descriptors: PhysAddr,
            driver_area: PhysAddr,
            device_area: PhysAddr,
        ) {
            self.queue = Some((size as u16, descriptors, driver_area, device_area));
        }
        fn queue_unset(&mut self, _queue: u16) {
            self.queue = None;
        }
        fn queue_used(&mut self, _queue: u16) -> bool {
            self.queue.is_some()
        }
        fn ack_interrupt(&mut self) -> InterruptStatus {
            InterruptStatus::empty()
        }
        fn read_config_generation(&self) -> u32 {
            0
        }
        fn read_config_space<V: FromBytes + IntoBytes>(&self, _offset: usize) -> Result<V> {
            Err(virtio_drivers::Error::ConfigSpaceMissing)
        }
        fn write_config_space<V: IntoBytes + Immutable>(
            &mut self,
            _offset: usize,
            _value: V,
        ) -> Result<()> {
            Err(virtio_drivers::Error::ConfigSpaceMissing)
        }
    }

    #[test]
    fn eight_bytes_in_one_request_or_several() {
        let want = u64::from_le_bytes([1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            read_u64(FakeRng::new(DeviceType::EntropySource, 64)),
            Ok(want)
        );
        assert_eq!(
            read_u64(FakeRng::new(DeviceType::EntropySource, 3)),
            Ok(want)
        );
    }

    #[test]
    fn a_device_that_gives_nothing_or_is_no_rng_is_an_error() {
        let e = read_u64(FakeRng::new(DeviceType::EntropySource, 0)).unwrap_err();
        assert!(e.contains("0 bytes of 8 in 8 requests"), "{e}");
        let e = read_u64(FakeRng::new(DeviceType::Network, 8)).unwrap_err();
        assert!(e.contains("Network device"), "{e}");
    }
}
