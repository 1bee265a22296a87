//! How a key is split into words for the credential rule (`scrub.rs`), where
//! mutation testing (`make mutants`) found a case untested: a capitalised
//! word after a lowercase word or a digit, followed by another capital
//! (`userPIN`, `card2CVV`). The rest of scrubbing is tested in tests/privacy.rs
//! and in src/scrub.rs.
//!
//! | mutation | killed by |
//! |---|---|
//! | `Words::next` reads the current byte as the previous one (`i - 1` → `i / 1`) | `an_upper_case_word_after_a_lower_case_one_or_a_digit_is_a_word` |

use okra_events_core::scrub::is_credential_key;

#[test]
fn an_upper_case_word_after_a_lower_case_one_or_a_digit_is_a_word() {
    for key in [
        "userPIN",
        "transactionPIN",
        "myOTP",
        "card2CVV",
        "bankBVN",
        "x2PIN",
    ] {
        assert!(is_credential_key(key), "{key} names a credential");
    }
    // Not split inside an upper-case run or a word.
    for key in ["OPINION", "userPINE", "COMPANY", "spinner"] {
        assert!(!is_credential_key(key), "{key} is not a credential");
    }
}
