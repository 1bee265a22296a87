//! Removes credentials from event data.
//!
//! Event data goes to the host page, to the webhook and into logs, so it must
//! never carry what the user typed to prove who they are: passwords, PINs,
//! OTPs, answers to MFA questions. The widget may pass whole form state by
//! mistake; scrubbing happens here, whatever the caller sends.
//!
//! A key is sensitive when one of its words (split at `_`, `-`, `.`, spaces and
//! camelCase humps) is a credential word, so `transactionPin`, `otp_code` and
//! `mfa-answer` go while `shipping`, `opinion` and `passport_no` stay.

use crate::value::Value;

/// Words that mark a key as a credential.
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
    "cvc",
    "secret",
    "answer",
    "answers",
    "credential",
    "credentials",
    "token",
];

/// Whole keys (after removing separators, lowercased) that are credentials
/// without containing a credential word, such as `mfaAnswer` spelled as one word.
const CREDENTIAL_KEYS: &[&str] = &["mfaanswer", "securityanswer", "onetimepassword", "apikey"];

/// Whether a key names a credential. Runs for every key of every event, so it
/// compares slices of the key in place instead of building lowercase copies.
pub fn is_credential_key(key: &str) -> bool {
    squashed_is_credential(key)
        || words(key).any(|w| CREDENTIAL_WORDS.iter().any(|c| c.eq_ignore_ascii_case(w)))
}

/// Whether the key's letters and digits alone spell one of [`CREDENTIAL_KEYS`].
fn squashed_is_credential(key: &str) -> bool {
    CREDENTIAL_KEYS.iter().any(|c| {
        let mut letters = key.bytes().filter(u8::is_ascii_alphanumeric);
        c.bytes()
            .all(|b| letters.next().is_some_and(|k| k.eq_ignore_ascii_case(&b)))
            && letters.next().is_none()
    })
}

/// Splits `fooBar_baz-qux` into the words `foo`, `Bar`, `baz`, `qux`.
///
/// ASCII rules only: credential words are ASCII, and Unicode case tables would
/// cost the shipped wasm several kilobytes. Other characters stay inside words.
fn words(key: &str) -> impl Iterator<Item = &str> {
    let bytes = key.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && bytes[i].is_ascii() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() {
            let (prev, b) = (bytes[i - 1], bytes[i]);
            let separator = b.is_ascii() && !b.is_ascii_alphanumeric();
            let hump =
                b.is_ascii_uppercase() && (prev.is_ascii_lowercase() || prev.is_ascii_digit());
            if separator || hump {
                break;
            }
            i += 1;
        }
        // Boundaries are at ASCII bytes, so they are character boundaries.
        Some(&key[start..i])
    })
}

/// Removes credential entries from objects at any depth. Returns how many
/// entries were removed.
pub fn scrub(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let before = map.len();
            map.retain(|(k, _)| !is_credential_key(k));
            let mut removed = before - map.len();
            for (_, v) in map.iter_mut() {
                removed += scrub(v);
            }
            removed
        }
        Value::Array(items) => items.iter_mut().map(scrub).sum(),
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
