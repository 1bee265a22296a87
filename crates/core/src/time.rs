//! Time as plain numbers: the core never reads a clock. Callers pass
//! milliseconds since the Unix epoch, which makes every rule testable with a
//! fake clock.
//!
//! Layer 1 (text and values; see the crate's documentation): it uses only the modules listed before it in its layer.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = u64;

/// Formats a timestamp as ISO-8601 UTC with milliseconds, e.g.
/// `2026-11-27T01:20:54.123Z`.
pub fn iso8601(ms: Millis) -> String {
    iso8601_text(ms).as_str().to_owned()
}

/// [`iso8601`] on the stack: what every event is stamped with.
pub fn iso8601_text(ms: Millis) -> crate::text::Ascii<24> {
    let secs = ms / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    // Written digit by digit: this runs for every event, and the formatting
    // machinery costs several times more.
    let mut out = [0u8; 24];
    let mut put = |at: usize, width: usize, mut n: u64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, y.clamp(0, 9999) as u64);
    put(5, 2, u64::from(m));
    put(8, 2, u64::from(d));
    put(11, 2, rem / 3600);
    put(14, 2, rem / 60 % 60);
    put(17, 2, rem % 60);
    put(20, 3, ms % 1000);
    for (at, sep) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ] {
        out[at] = sep;
    }
    // SAFETY: every byte is a digit (`b'0'` plus one below 10) or one of the
    // separators above.
    unsafe { crate::text::Ascii::new_unchecked(out) }
}

/// Days since the epoch to (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_742_454_123), "2026-11-27T01:20:54.123Z");
        // Leap day and the last millisecond of a year.
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_798_761_599_999), "2026-12-31T23:59:59.999Z");
    }
}
