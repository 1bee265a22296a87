//! The widget's screens.
//!
//! Layer 2 (the widget's vocabulary; see the crate's documentation): it uses only the layers below it.

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A screen of the widget. Names on the wire are snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Screen {
    /// The first screen: the SDK has loaded.
    Landing,
    /// Consent and the choice between internet and mobile banking.
    LoginMethod,
    /// The list of banks.
    Bank,
    /// Searching the list of banks.
    Search,
    /// A bank search that found nothing.
    NoSearchResult,
    /// The bank's login form.
    Login,
    /// Choosing which accounts to connect.
    AccountSelection,
    /// Fetching balances and transactions.
    Balance,
    /// A multi-factor question or OTP.
    Mfa,
    /// Reviewing a payment.
    ReviewPayment,
    /// Authorizing a payment.
    AuthorizePayment,
    /// A returning user picks one of their banks.
    RuxBankSelection,
    /// The account is linked.
    Success,
    /// The connection failed.
    Failure,
}

impl Screen {
    /// Every screen, in the order of the widget's flow.
    pub const ALL: [Screen; 14] = [
        Screen::Landing,
        Screen::LoginMethod,
        Screen::Bank,
        Screen::Search,
        Screen::NoSearchResult,
        Screen::Login,
        Screen::AccountSelection,
        Screen::Balance,
        Screen::Mfa,
        Screen::ReviewPayment,
        Screen::AuthorizePayment,
        Screen::RuxBankSelection,
        Screen::Success,
        Screen::Failure,
    ];

    /// The wire name, e.g. `login_method`.
    pub fn as_str(self) -> &'static str {
        match self {
            Screen::Landing => "landing",
            Screen::LoginMethod => "login_method",
            Screen::Bank => "bank",
            Screen::Search => "search",
            Screen::NoSearchResult => "no_search_result",
            Screen::Login => "login",
            Screen::AccountSelection => "account_selection",
            Screen::Balance => "balance",
            Screen::Mfa => "mfa",
            Screen::ReviewPayment => "review_payment",
            Screen::AuthorizePayment => "authorize_payment",
            Screen::RuxBankSelection => "rux_bank_selection",
            Screen::Success => "success",
            Screen::Failure => "failure",
        }
    }

    /// Parses a screen name, ignoring ASCII case.
    pub fn parse(name: &str) -> Result<Screen, Error> {
        Screen::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::UnknownScreen(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_name_case_insensitively() {
        for s in Screen::ALL {
            assert_eq!(Screen::parse(s.as_str()).unwrap(), s);
            assert_eq!(Screen::parse(&s.as_str().to_uppercase()).unwrap(), s);
        }
        let err = Screen::parse("checkout").unwrap_err();
        assert!(err.to_string().contains("\"checkout\""), "{err}");
    }
}
