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

/// The change a checksum takes when the 16-bit words of `old` become those
/// of `new` (equal, even lengths): the one's complement sum of `~m + m'`
/// over the words, folded — `~m + m'` of RFC 1624's equation 3. Add it to
/// a checksum with [`apply`], which then gives what recomputing the
/// checksum over the changed data gives — up to the two forms of zero,
/// `0x0000` and `0xffff`, which one's complement arithmetic does not tell
/// apart (both verify).
#[inline]
pub fn delta(old: &[u8], new: &[u8]) -> u16 {
    let mut sum = 0u32;
    for (o, n) in old.chunks_exact(2).zip(new.chunks_exact(2)) {
        sum += u32::from(!u16::from_be_bytes([o[0], o[1]]));
        sum += u32::from(u16::from_be_bytes([n[0], n[1]]));
    }
    !finish(sum)
}

/// Adds two deltas from [`delta`] (changes to different fields covered by
/// one checksum).
#[inline]
pub fn combine(a: u16, b: u16) -> u16 {
    !finish(u32::from(a) + u32::from(b))
}

/// Applies a [`delta`] to checksum `old_sum`: `HC' = ~(~HC + delta)`
/// (RFC 1624, equation 3).
#[inline]
pub fn apply(old_sum: u16, delta: u16) -> u16 {
    finish(u32::from(!old_sum) + u32::from(delta))
}

/// [`apply`] for a UDP checksum: a checksum of 0 means the sender computed
/// none, and stays 0; a computed 0 is sent as `0xffff` (RFC 768).
#[inline]
pub fn apply_udp(old_sum: u16, delta: u16) -> u16 {
    match old_sum {
        0 => 0,
        s => match apply(s, delta) {
            0 => 0xffff,
            n => n,
        },
    }
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

    /// Two checksums are the same one's complement number.
    fn same(a: u16, b: u16) -> bool {
        a == b || (a | b == 0xffff && a & b == 0)
    }

    mod properties {
        use super::*;
        use alloc::vec::Vec;
        use proptest::prelude::*;

        /// A buffer of even length with a correct checksum stored at
        /// `sum_at` (an even offset), and the same buffer with the words
        /// at `at..at + len` replaced by `new`.
        fn changed(mut buf: Vec<u8>, sum_at: usize, at: usize, new: &[u8]) -> (Vec<u8>, Vec<u8>) {
            buf[sum_at..sum_at + 2].copy_from_slice(&[0, 0]);
            let sum = checksum(&buf);
            buf[sum_at..sum_at + 2].copy_from_slice(&sum.to_be_bytes());
            let mut after = buf.clone();
            after[at..at + new.len()].copy_from_slice(new);
            (buf, after)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]

            /// Rewriting any words (an address, a port) and applying the
            /// delta gives the checksum a full recomputation gives.
            #[test]
            fn delta_equals_recomputation(
                words in proptest::collection::vec(any::<u16>(), 4..40),
                pick in any::<proptest::sample::Index>(),
                new in proptest::collection::vec(any::<u16>(), 1..4),
            ) {
                let buf: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
                let nwords = words.len();
                // the checksum sits in word 0; the change somewhere after it
                let first = 1 + pick.index(nwords - new.len());
                let new: Vec<u8> = new.iter().flat_map(|w| w.to_be_bytes()).collect();
                let (before, mut after) = changed(buf, 0, first * 2, &new);
                let old_sum = u16::from_be_bytes([before[0], before[1]]);
                let d = delta(&before[first * 2..first * 2 + new.len()], &new);
                let sum = apply(old_sum, d);
                after[0..2].copy_from_slice(&sum.to_be_bytes());
                prop_assert_eq!(checksum(&after), 0, "the updated packet verifies");
                after[0..2].copy_from_slice(&[0, 0]);
                prop_assert!(same(sum, checksum(&after)), "{:04x} vs {:04x}", sum, checksum(&after));
            }

            /// Two deltas combined equal the two changes made one after
            /// the other; a change and its reverse cancel.
            #[test]
            fn deltas_combine_and_cancel(
                sum in any::<u16>(),
                a in any::<[u8; 4]>(), b in any::<[u8; 4]>(),
                c in any::<[u8; 2]>(), d in any::<[u8; 2]>(),
            ) {
                let (d1, d2) = (delta(&a, &b), delta(&c, &d));
                prop_assert!(same(apply(apply(sum, d1), d2), apply(sum, combine(d1, d2))));
                prop_assert!(same(apply(apply(sum, d1), delta(&b, &a)), sum));
                // update32 is the same change
                prop_assert!(same(update32(sum, a, b), apply(sum, d1)));
            }

            /// A UDP checksum of 0 (none) stays 0; any other never
            /// becomes 0.
            #[test]
            fn udp_zero_stays_zero(sum in any::<u16>(), a in any::<[u8; 4]>(), b in any::<[u8; 4]>()) {
                let d = delta(&a, &b);
                prop_assert_eq!(apply_udp(0, d), 0);
                if sum != 0 {
                    let n = apply_udp(sum, d);
                    prop_assert!(n != 0);
                    prop_assert!(same(n, apply(sum, d)));
                }
            }
        }
    }
}
