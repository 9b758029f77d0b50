//! The device elements on the xen platform's NICs (netfront vifs, on
//! [`nfc_virtio::image`]'s `Devices`).

use crate::machine::Xen;

nfc_elements::device_elements!(Xen);
