//! The Internet checksum (RFC 1071) and its incremental update (RFC 1624),
//! as IP, ICMP, TCP and UDP use them.

/// Adds `bytes` as big-endian 16-bit words to `sum` (an odd last byte is
/// padded with zero), without folding.
#[inline]
pub fn add(mut sum: u32, bytes: &[u8]) -> u32 {
    let mut words = bytes.chunks_exact(2);
    for w in &mut words {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last) << 8;
    }
    sum
}

/// Folds a 32-bit sum to 16 bits and complements it.
#[inline]
pub fn finish(mut sum: u32) -> u16 {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    !(sum as u16)
}

/// The checksum of `bytes`: 0 when `bytes` holds a correct checksum field.
#[inline]
pub fn checksum(bytes: &[u8]) -> u16 {
    finish(add(0, bytes))
}

/// Updates checksum `old_sum` for a 16-bit field that changed from `old`
/// to `new` (RFC 1624, equation 3).
#[inline]
pub fn update16(old_sum: u16, old: u16, new: u16) -> u16 {
    let sum = u32::from(!old_sum) + u32::from(!old) + u32::from(new);
    finish(sum)
}

/// Updates checksum `old_sum` for a 32-bit field (an IPv4 address) that
/// changed from `old` to `new`.
#[inline]
pub fn update32(old_sum: u16, old: [u8; 4], new: [u8; 4]) -> u16 {
    let hi = |a: [u8; 4]| u16::from_be_bytes([a[0], a[1]]);
    let lo = |a: [u8; 4]| u16::from_be_bytes([a[2], a[3]]);
    update16(update16(old_sum, hi(old), hi(new)), lo(old), lo(new))
}

/// The TCP/UDP pseudo-header sum for IPv4: addresses, protocol, length.
#[inline]
pub fn pseudo_header(src: [u8; 4], dst: [u8; 4], protocol: u8, len: u16) -> u32 {
    add(add(0, &src), &dst) + u32::from(protocol) + u32::from(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1071's example header.
    const HEADER: [u8; 20] = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00,
        0x01, 0xc0, 0xa8, 0x00, 0xc7,
    ];

    #[test]
    fn a_correct_header_sums_to_zero() {
        assert_eq!(checksum(&HEADER), 0);
        let mut h = HEADER;
        h[10..12].copy_from_slice(&[0, 0]);
        assert_eq!(checksum(&h), 0xb861);
    }

    #[test]
    fn odd_lengths_pad_with_zero() {
        assert_eq!(checksum(&[0x01]), !0x0100);
        assert_eq!(checksum(&[0x01, 0x02, 0x03]), finish(0x0102 + 0x0300));
    }

    #[test]
    fn incremental_updates_match_a_recomputation() {
        let mut h = HEADER;
        // Decrement the TTL, as DecIPTTL does.
        let old = u16::from_be_bytes([h[8], h[9]]);
        h[8] -= 1;
        let new = u16::from_be_bytes([h[8], h[9]]);
        let sum = update16(u16::from_be_bytes([h[10], h[11]]), old, new);
        h[10..12].copy_from_slice(&sum.to_be_bytes());
        assert_eq!(checksum(&h), 0);
        // Rewrite the source address, as a NAT does.
        let new_src = [10, 1, 2, 3];
        let sum = update32(
            u16::from_be_bytes([h[10], h[11]]),
            [0xc0, 0xa8, 0, 1],
            new_src,
        );
        h[12..16].copy_from_slice(&new_src);
        h[10..12].copy_from_slice(&sum.to_be_bytes());
        assert_eq!(checksum(&h), 0);
    }
}
