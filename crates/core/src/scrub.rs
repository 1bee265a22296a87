//! Removes credentials, identity numbers and card numbers from event data.
//!
//! Event data goes to the host page, to the merchant, to the webhook and into
//! logs, so it must never carry what the user typed to prove who they are
//! (passwords, PINs, OTPs, answers to MFA questions), what proves the widget's
//! own right to call an API (API keys, tokens, `Authorization` and cookie
//! values), nor the numbers that identify a person or a card (BVN, NIN, card
//! numbers). The widget may pass whole form state or request headers by
//! mistake; scrubbing happens here, whatever the caller sends.
//!
//! Two rules:
//! - **By key.** A key is sensitive when one of its words (split at `_`, `-`,
//!   `.`, spaces and camelCase humps) is a credential word, or when adjacent
//!   words spell a credential compound. So `transactionPin`, `otp_code`,
//!   `X-Api-Key` and `cardNumber` go while `shipping`, `opinion`, `company`,
//!   `panel` and `passport_no` stay: a credential word hidden inside another
//!   word is not a match. The entry is removed, whatever its value.
//! - **By value.** In every string, a run of 13 to 19 digits (single spaces
//!   or dashes allowed between digits) that passes the Luhn check, as every
//!   card number does, is replaced by [`REDACTED`]; the rest of the string
//!   stays, as do shorter numbers (phones, NUBAN account numbers) and runs that
//!   fail the check (order numbers, 9 in 10 other long numbers).
//!
//! Layer 2 (the widget's vocabulary; see the crate's documentation): it uses only the layers below it.

use crate::value::Value;

/// What a card number found in a string is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Words that mark a key as sensitive wherever they stand in it (lowercase).
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passcode",
    "passphrase",
    "pass",
    "pin",
    "otp",
    "totp",
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "secret",
    "answer",
    "answers",
    "credential",
    "credentials",
    "token",
    "authorization",
    "authorisation",
    "cookie",
    "cookies",
    "bvn",
    "nin",
    "pan",
];

/// Credentials spelled as several words, matched against adjacent words of a
/// key joined (lowercase): `apikey`, `api_key`, `X-Api-Key`, `cardNumber` and
/// `user_card_number` all match.
const CREDENTIAL_COMPOUNDS: &[&str] = &[
    "apikey",
    "privatekey",
    "cardnumber",
    "cardno",
    "cardnum",
    "mfaanswer",
    "securityanswer",
    "onetimepassword",
];

/// A small hash of a lowercase word, for [`hash_set`].
const fn hash(w: &[u8]) -> u32 {
    (w.len() as u32 * 13 + w[0] as u32 * 7 + w[w.len() - 1] as u32) % 128
}

/// The set of the [`hash`]es of a list's entries, as 128 bits (two `u64`,
/// which wasm shifts natively). One bit test tells most ordinary words
/// (`bank`, `tracking`, `id`) apart from the list without comparing them to
/// each entry: this runs for every key of every event.
const fn hash_set(list: &[&str]) -> [u64; 2] {
    let mut set = [0; 2];
    let mut i = 0;
    while i < list.len() {
        let h = hash(list[i].as_bytes());
        set[(h / 64) as usize] |= 1 << (h % 64);
        i += 1;
    }
    set
}

const WORD_HASHES: [u64; 2] = hash_set(CREDENTIAL_WORDS);
const COMPOUND_HASHES: [u64; 2] = hash_set(CREDENTIAL_COMPOUNDS);

/// Whether `list`, whose hashes are `hashes`, holds `w` (not empty).
fn listed(list: &[&str], hashes: [u64; 2], w: &[u8]) -> bool {
    let h = hash(w);
    hashes[(h / 64) as usize] >> (h % 64) & 1 == 1 && list.iter().any(|c| c.as_bytes() == w)
}

/// The longest credential word or compound, in bytes.
const LONGEST: usize = 15;

/// Whether a key names a credential. Runs for every key of every event, so
/// it lowercases at most [`LONGEST`] bytes at a time on the stack and
/// compares whole slices, instead of building lowercase copies of the key.
pub fn is_credential_key(key: &str) -> bool {
    let mut words = Words { key, i: 0 };
    while let Some(first) = words.next() {
        // `first` and the words after it, joined and lowercased.
        let mut joined = [0u8; LONGEST];
        let mut len = 0;
        let mut next = words.clone();
        let mut word = Some(first);
        while let Some(w) = word.filter(|w| len + w.len() <= LONGEST) {
            for &b in w.as_bytes() {
                joined[len] = b.to_ascii_lowercase();
                len += 1;
            }
            let spelled = &joined[..len];
            if listed(CREDENTIAL_COMPOUNDS, COMPOUND_HASHES, spelled) {
                return true;
            }
            if w.len() == len && listed(CREDENTIAL_WORDS, WORD_HASHES, spelled) {
                // `authorization_id` is the id of a payment authorization
                // (the widget's own success data has one), not a header.
                let id_of_it = spelled.starts_with(b"author")
                    && next
                        .clone()
                        .next()
                        .is_some_and(|n| n.eq_ignore_ascii_case("id"));
                if !id_of_it {
                    return true;
                }
            }
            word = next.next();
        }
    }
    false
}

/// The words of a key: `fooBar_baz-qux` gives `foo`, `Bar`, `baz`, `qux`,
/// and `HTTPCookie` gives `HTTP`, `Cookie`.
///
/// ASCII rules only: credential words are ASCII, and Unicode case tables would
/// cost the shipped wasm several kilobytes. Other characters stay inside words.
#[derive(Clone)]
struct Words<'a> {
    key: &'a str,
    i: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.key.as_bytes();
        let mut i = self.i;
        while i < bytes.len() && bytes[i].is_ascii() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            self.i = i;
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() {
            let (prev, b) = (bytes[i - 1], bytes[i]);
            let separator = b.is_ascii() && !b.is_ascii_alphanumeric();
            // `pinCode` | `pin2Code`, and the last capital of an acronym
            // before a lowercase word: `HTTP|Cookie`, `X|Api|Key`.
            let hump = b.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase()
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase)));
            if separator || hump {
                break;
            }
            i += 1;
        }
        self.i = i;
        // Boundaries are at ASCII bytes, so they are character boundaries.
        Some(&self.key[start..i])
    }
}

/// The fewest digits a card number has.
const CARD_MIN: usize = 13;
/// The most digits a card number has.
const CARD_MAX: usize = 19;

/// Whether these digits (ASCII, separators skipped) pass the Luhn check.
fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0;
    let mut double = false;
    for &b in digits.iter().rev() {
        if b.is_ascii_digit() {
            let d = u32::from(b - b'0') << u32::from(double);
            sum += if d > 9 { d - 9 } else { d };
            double = !double;
        }
    }
    sum % 10 == 0
}

/// The string with every card number in it replaced by [`REDACTED`], or
/// `None` when it has none.
///
/// A number is a run of digits in which single spaces or dashes may separate
/// groups (`4111 1111 1111 1111`, `4111-1111-1111-1111`). From each group on,
/// every span of whole groups with 13 to 19 digits is checked, shortest
/// first, so a card number is found also when the run goes on past it
/// (`4111 1111 1111 1111 12/25`) or starts before it (`order 12 4111...`).
/// Each group starts at most 19 digits of checks: linear time.
pub fn redact_card_numbers(s: &str) -> Option<String> {
    let b = s.as_bytes();
    // Fast path: most strings cannot hold a card number at all.
    if b.iter().filter(|c| c.is_ascii_digit()).count() < CARD_MIN {
        return None;
    }
    let mut out = String::new();
    // How much of `s` is in `out` already.
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A group starts at `i`: look for a card number that starts here.
        let (mut end, mut digits) = (i, 0);
        let found = loop {
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
                digits += 1;
            }
            if digits > CARD_MAX {
                break false;
            }
            if digits >= CARD_MIN && luhn(&b[i..end]) {
                break true;
            }
            if !(matches!(b.get(end), Some(b' ' | b'-'))
                && b.get(end + 1).is_some_and(u8::is_ascii_digit))
            {
                break false;
            }
            end += 1;
        };
        if found {
            out.push_str(&s[copied..i]);
            out.push_str(REDACTED);
            copied = end;
            i = end;
        } else {
            // On to the next group.
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&s[copied..]);
    Some(out)
}

/// Removes credential entries from objects at any depth and card numbers from
/// every string. Returns how many entries were removed and strings changed.
pub fn scrub(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let before = map.len();
            // A key that is itself a card number goes too.
            map.retain(|(k, _)| !is_credential_key(k) && redact_card_numbers(k).is_none());
            let mut removed = before - map.len();
            for (_, v) in map.iter_mut() {
                removed += scrub(v);
            }
            removed
        }
        Value::Array(items) => items.iter_mut().map(scrub).sum(),
        Value::String(s) => match redact_card_numbers(s) {
            Some(clean) => {
                *s = clean;
                1
            }
            None => 0,
        },
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn removes_credentials_at_any_depth() {
        let mut v = json(
            r#"{"bank":"alat","password":"hunter2","transactionPin":"1234",
                "form":{"otp_code":"998877","username":"faith","mfa-answer":"blue",
                        "answers":[{"q":"pet","a":"rex"}]},
                "list":[{"PIN":"0000","ok":1}],"securityAnswer":"x","MfaAnswer":"y",
                "passcode":"1","user_pwd":"2","cvv":"123","client_secret":"s","Ünïcode_PIN":"9"}"#,
        );
        let removed = scrub(&mut v);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"bank":"alat","form":{"username":"faith"},"list":[{"ok":1}]}"#
        );
        assert_eq!(removed, 13);
    }

    #[test]
    fn every_listed_word_is_lowercase_and_fits_the_join_buffer() {
        for w in CREDENTIAL_WORDS.iter().chain(CREDENTIAL_COMPOUNDS) {
            assert!(!w.is_empty() && w.len() <= LONGEST, "{w}");
            assert_eq!(*w, w.to_ascii_lowercase());
            assert!(
                listed(CREDENTIAL_WORDS, WORD_HASHES, w.as_bytes())
                    || listed(CREDENTIAL_COMPOUNDS, COMPOUND_HASHES, w.as_bytes())
            );
        }
    }

    #[test]
    fn keeps_lookalikes() {
        for key in [
            "shipping",
            "opinion",
            "passport_no",
            "spinner",
            "bank_id",
            "pinned",
            "tracking_id",
            "compass",
            "número_de_cuenta",
            "straße",
        ] {
            assert!(!is_credential_key(key), "{key}");
        }
    }
}
