//! The Internet checksum (RFC 1071) and its incremental update (RFC 1624),
//! as IP, ICMP, TCP and UDP use them.

/// Adds `bytes` as big-endian 16-bit words to `sum` (an odd last byte is
/// padded with zero), without the final folding: the result is below 2^18
/// and, like the sum of the words, zero only when every word is. It reads
/// four bytes at a time: a 32-bit word `hi:lo` counts as `hi + lo`
/// because 2^16 ≡ 1 (mod 2^16 - 1), the modulus of one's complement sums.
#[inline]
pub fn add(sum: u32, bytes: &[u8]) -> u32 {
    let mut acc = u64::from(sum);
    let mut quads = bytes.chunks_exact(4);
    for q in &mut quads {
        acc += u64::from(u32::from_be_bytes([q[0], q[1], q[2], q[3]]));
    }
    let mut words = quads.remainder().chunks_exact(2);
    for w in &mut words {
        acc += u64::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        acc += u64::from(*last) << 8;
    }
    // Four 16-bit digits of a sum below 2^64: each part below 2^16.
    ((acc & 0xffff) + (acc >> 16 & 0xffff) + (acc >> 32 & 0xffff) + (acc >> 48)) as u32
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

    /// The sum as RFC 1071 writes it: 16-bit words, end-around carry.
    fn reference(bytes: &[u8]) -> u16 {
        let mut sum = 0u32;
        for (i, b) in bytes.iter().enumerate() {
            sum += u32::from(*b) << if i % 2 == 0 { 8 } else { 0 };
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    #[test]
    fn four_bytes_at_a_time_equals_the_word_sum() {
        // Lengths 0..80 of pseudo-random bytes, all-zero and all-0xff
        // buffers (the 0 / 0xffff corner of one's complement).
        let mut x = 0x1234_5678u32;
        for len in 0..80 {
            let bytes: alloc::vec::Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (x >> 16) as u8
                })
                .collect();
            assert_eq!(checksum(&bytes), reference(&bytes), "{bytes:?}");
            for fill in [0u8, 0xff] {
                let b = alloc::vec![fill; len];
                assert_eq!(checksum(&b), reference(&b), "{fill} x {len}");
            }
            let split = len / 3;
            assert_eq!(
                finish(add(add(0, &bytes[..split & !1]), &bytes[split & !1..])),
                reference(&bytes),
                "two parts"
            );
        }
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
