//! Building text by concatenation. `format!` pulls Rust's formatting
//! machinery into the shipped wasm; joining string slices does not.
//!
//! Layer 1 (text and values; see the crate's documentation): it uses only the modules listed before it in its layer.

/// ASCII text of a fixed length, on the stack: the ids and timestamps every
/// event carries, written without an allocation or a push per character.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ascii<const N: usize>([u8; N]);

impl<const N: usize> Ascii<N> {
    /// The bytes as text, unchecked: checking them for every event costs
    /// more than writing them, and a UTF-8 check would bring the shipped
    /// wasm its validator.
    ///
    /// # Safety
    ///
    /// Every byte must be ASCII (below 0x80).
    pub(crate) unsafe fn new_unchecked(bytes: [u8; N]) -> Self {
        debug_assert!(bytes.iter().all(|&b| b < 0x80));
        Ascii(bytes)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // SAFETY: `new_unchecked`'s callers give ASCII only, and ASCII is
        // valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

impl<const N: usize> std::fmt::Debug for Ascii<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts, joined.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// A whole number in decimal.
pub fn num(n: u64) -> String {
    let mut out = String::new();
    write_u64(&mut out, n);
    out
}

/// Writes an unsigned integer in decimal.
pub fn write_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

// Searching for ASCII bytes in a loop, rather than with `str`'s pattern
// searchers (`split_once("://")`, `split(['/', '?', '#'])`, ...), keeps the
// generic Two-Way, memchr and multi-char searchers out of the shipped wasm.
// An ASCII byte never sits inside a multi-byte character, so every position
// found is a character boundary.

/// Where the first byte of `s` that is in `set` (ASCII) is, or `s.len()`.
// `set.contains` on bytes goes through memchr, which this file avoids.
#[allow(clippy::manual_contains)]
pub fn until_any(s: &str, set: &[u8]) -> usize {
    s.bytes()
        .position(|c| set.iter().any(|&x| x == c))
        .unwrap_or(s.len())
}

/// `s` around the first `b` (ASCII), without it: `str::split_once(b)`.
pub fn split_once(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|c| c == b)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s` around the last `b` (ASCII), without it: `str::rsplit_once(b)`.
pub fn rsplit_once(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|c| c == b)?;
    Some((&s[..i], &s[i + 1..]))
}

/// Calls `f` with each piece of `s` between the bytes `b` (ASCII), as
/// `str::split(b)` yields them.
pub fn each_piece<'a>(mut s: &'a str, b: u8, mut f: impl FnMut(&'a str)) {
    while let Some((piece, rest)) = split_once(s, b) {
        f(piece);
        s = rest;
    }
    f(s);
}

/// `s` around the first `pat` (ASCII, not empty), without it:
/// `str::split_once(pat)`.
pub fn split_once_str<'a>(s: &'a str, pat: &str) -> Option<(&'a str, &'a str)> {
    let i = s
        .as_bytes()
        .windows(pat.len())
        .position(|w| w == pat.as_bytes())?;
    Some((&s[..i], &s[i + pat.len()..]))
}

/// An unsigned whole number in decimal, as `str::parse` reads it (an
/// optional `+`, then digits), if it fits in `T`. One parser for every
/// integer type keeps one copy of it in the wasm.
pub fn whole<T: TryFrom<u64>>(s: &str) -> Option<T> {
    let n: u64 = s.parse().ok()?;
    T::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_is_its_bytes() {
        // SAFETY: ASCII.
        let text = unsafe { Ascii::new_unchecked(*b"2026-11-29") };
        assert_eq!(text.as_str(), "2026-11-29");
    }

    #[test]
    fn byte_searches_match_str_methods() {
        for s in [
            "",
            "a",
            "https://h:1/p?q#f",
            "a:b:c",
            "::",
            "x://",
            "://y",
            "é:ü://ö",
        ] {
            assert_eq!(split_once(s, b':'), s.split_once(':'), "{s}");
            assert_eq!(rsplit_once(s, b':'), s.rsplit_once(':'), "{s}");
            assert_eq!(split_once_str(s, "://"), s.split_once("://"), "{s}");
            let mut pieces = Vec::new();
            each_piece(s, b':', |p| pieces.push(p));
            assert_eq!(pieces, s.split(':').collect::<Vec<_>>(), "{s}");
            assert_eq!(
                &s[..until_any(s, b"/?#")],
                s.split(['/', '?', '#']).next().unwrap(),
                "{s}"
            );
        }
        for s in [
            "",
            "+",
            "-1",
            "+7",
            "007",
            "65535",
            "65536",
            "4294967296",
            "18446744073709551616",
            " 1",
            "1a",
        ] {
            assert_eq!(whole::<u16>(s), s.parse::<u16>().ok(), "{s}");
            assert_eq!(whole::<u32>(s), s.parse::<u32>().ok(), "{s}");
            assert_eq!(whole::<usize>(s), s.parse::<usize>().ok(), "{s}");
        }
    }
}
