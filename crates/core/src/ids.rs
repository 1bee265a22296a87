//! Identifiers: session ids, tracking ids and event ids.
//!
//! The core takes its randomness as a seed (the browser layer draws it from
//! `crypto.getRandomValues`), so tests can fix it. Event ids are UUID version 7:
//! they sort by creation time, which keeps receivers' indexes append-only.
//!
//! Layer 1 (text and values; see the crate's documentation): it uses only the modules listed before it in its layer.

use crate::text::Ascii;
use crate::time::Millis;

/// A small, fast generator (SplitMix64). It only needs to make collisions
/// between ids vanishingly unlikely; the seed carries the unpredictability.
#[derive(Debug, Clone)]
pub struct IdGen {
    state: u64,
}

const ALPHANUMERIC: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl IdGen {
    /// A generator from 128 bits of seed.
    pub fn new(seed: [u64; 2]) -> IdGen {
        IdGen {
            state: seed[0] ^ seed[1].rotate_left(32),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A random UUID (version 4), for session ids.
    pub fn uuid_v4(&mut self) -> String {
        let hi = (self.next_u64() & !0xF000) | 0x4000;
        let lo = (self.next_u64() & !(0b11 << 62)) | (0b10 << 62);
        format_uuid(hi, lo).as_str().to_owned()
    }

    /// A time-ordered UUID (version 7), for event ids.
    pub fn uuid_v7(&mut self, now: Millis) -> String {
        self.uuid_v7_text(now).as_str().to_owned()
    }

    /// [`uuid_v7`](Self::uuid_v7) on the stack: what every event is given.
    pub fn uuid_v7_text(&mut self, now: Millis) -> Ascii<36> {
        let rand = self.next_u64();
        let hi = ((now & 0xFFFF_FFFF_FFFF) << 16) | 0x7000 | (rand & 0x0FFF);
        let lo = (self.next_u64() & !(0b11 << 62)) | (0b10 << 62);
        format_uuid(hi, lo)
    }

    /// A short alphanumeric id like the widget's tracking ids (`MN09uhhgd`).
    pub fn tracking_id(&mut self) -> String {
        let mut bits = self.next_u64();
        (0..9)
            .map(|_| {
                let c = ALPHANUMERIC[(bits % 62) as usize] as char;
                bits /= 62;
                c
            })
            .collect()
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, written nibble by nibble (this runs
/// for every event; the formatting machinery costs several times more).
fn format_uuid(hi: u64, lo: u64) -> Ascii<36> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'-'; 36];
    let mut at = 0;
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            at += 1;
        }
        let word = if i < 16 { hi } else { lo };
        let shift = 60 - 4 * (i % 16);
        out[at] = HEX[((word >> shift) & 15) as usize];
        at += 1;
    }
    // SAFETY: every byte is from HEX or a `-`.
    unsafe { Ascii::new_unchecked(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_the_hex_of_their_bits() {
        assert_eq!(
            format_uuid(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210).as_str(),
            "01234567-89ab-cdef-fedc-ba9876543210"
        );
        assert_eq!(
            format_uuid(0, u64::MAX).as_str(),
            "00000000-0000-0000-ffff-ffffffffffff"
        );
    }

    #[test]
    fn uuids_have_version_and_variant() {
        let mut g = IdGen::new([1, 2]);
        let v4 = g.uuid_v4();
        assert_eq!(v4.len(), 36);
        assert_eq!(&v4[14..15], "4");
        assert!("89ab".contains(&v4[19..20]));
        let v7 = g.uuid_v7(1_795_742_454_123);
        assert_eq!(&v7[14..15], "7");
        // The first 48 bits are the timestamp, so ids sort by time.
        assert_eq!(&v7[0..8], &format!("{:012x}", 1_795_742_454_123u64)[0..8]);
    }

    #[test]
    fn ids_do_not_repeat_and_v7_sorts_by_time() {
        let mut g = IdGen::new([7, 9]);
        let mut ids: Vec<String> = (0..10_000u64).map(|i| g.uuid_v7(1_000_000 + i)).collect();
        let sorted = {
            let mut s = ids.clone();
            s.sort();
            s
        };
        assert_eq!(ids, sorted);
        ids.dedup();
        assert_eq!(ids.len(), 10_000);
        let t = g.tracking_id();
        assert_eq!(t.len(), 9);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
