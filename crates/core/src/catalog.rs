//! The event catalog: every event the widget documents, as one table.
//!
//! Layer 2 (the widget's vocabulary; see the crate's documentation): it uses only the layers below it.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::screen::Screen;

/// The group an event belongs to in the widget's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Linking an account: landing to MFA.
    Auth,
    /// Payment review and authorization.
    Payment,
    /// A returning user picking a known bank.
    ReturningUser,
    /// Connectivity and the outcome of the connection.
    Network,
    /// Everything else.
    General,
}

impl Category {
    /// The wire name, e.g. `returning_user`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Auth => "auth",
            Category::Payment => "payment",
            Category::ReturningUser => "returning_user",
            Category::Network => "network",
            Category::General => "general",
        }
    }
}

/// Who produces an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The widget reports it with `handler.track`.
    Tracked,
    /// okra-events emits it by itself; the text says what triggers it, for
    /// the error shown when someone tries to track it.
    Automatic(&'static str),
}

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpec {
    /// Canonical UPPER_SNAKE name.
    pub name: &'static str,
    /// Documentation group.
    pub category: Category,
    /// The screen the documentation lists it under, if any.
    pub screen: Option<Screen>,
    /// The documentation's description.
    pub description: &'static str,
    /// Who produces it.
    pub source: Source,
}

/// Accepted on input as another spelling of `USER_NETWORK_DISCONNECTED`.
pub const ALIAS_NETWORK_DISCONNECTED: &str = "WIDGET_USER_INTERNET_DISCONNECTED";

use Category::*;
use Screen::*;
use Source::*;

macro_rules! catalog {
    ($( $name:literal, $cat:ident, $screen:expr, $source:expr, $desc:literal; )*) => {
        /// All documented events, in the documentation's order.
        pub const CATALOG: &[EventSpec] = &[
            $( EventSpec { name: $name, category: $cat, screen: $screen, source: $source, description: $desc }, )*
        ];
    };
}

catalog! {
    "USER_CONNECTING", Auth, Some(Landing), Automatic("by Okra.buildWithOptions"),
        "The user is attempting to connect to the widget e.g. user has launched our SDK.";
    "USER_CONNECTED", Auth, Some(Landing), Automatic("when the first screen is shown with handler.screen()"),
        "The SDK has been fully loaded and the user can now interact with the Okra widget.";
    "USER_CONSENT_GRANTED", Auth, Some(LoginMethod), Tracked,
        "The user clicked on continue to grant data consent on sharing their accounts.";
    "USER_CONSENT_REVIEW", Auth, Some(LoginMethod), Tracked,
        "The user clicked on view the Okra terms of service and privacy policy.";
    "USER_LOGIN_SELECTION", Auth, Some(LoginMethod), Tracked,
        "The login method that the user selected from the login selection screen. Possible options: • Internet banking, • Mobile banking";
    "USER_VIEWED_BANKS", Auth, Some(Bank), Automatic("by handler.screen('bank')"),
        "The user has landed on the bank selection screen.";
    "USER_ACCOUNT_TYPE_SELECTION", Auth, Some(Bank), Tracked,
        "The user toggled the Business/Personal button on the widget.";
    "USER_BANK_SEARCH", Auth, Some(Search), Automatic("after 5 s on the search screen, handler.screen('search')"),
        "The user has engaged in the search for a bank in the search bar (for at least 5 secs).";
    "USER_BANK_SELECTED", Auth, Some(Search), Tracked,
        "The user clicked on a bank.";
    "USER_BANK_SEARCH_NO_RESULTS", Auth, Some(NoSearchResult), Automatic("by handler.screen('no_search_result')"),
        "The user hasn't received any results from their search term entered in the search bar.";
    "USER_LOGIN_ATTEMPTED", Auth, Some(Login), Tracked,
        "The user has entered their credentials and clicked on the login button in order to proceed with the connection.";
    "USER_ACCOUNT_SELECTION", Auth, Some(AccountSelection), Automatic("by handler.screen('account_selection')"),
        "The user has landed on the account selection screen on the Okra Widget.";
    "USER_ACCOUNT_SELECTED", Auth, Some(AccountSelection), Tracked,
        "The user has selected the account they would like to connect to Okra.";
    "USER_FETCH_BALANCE", Auth, Some(Balance), Tracked,
        "Okra is pulling the user's balance.";
    "USER_RETRIEVED_BALANCE", Auth, Some(Balance), Tracked,
        "Okra successfully retrieved the user's balance.";
    "USER_BALANCE_SENT", Auth, Some(Balance), Tracked,
        "A webhooks was triggered for the user's balance.";
    "USER_FETCH_TRANS", Auth, Some(Balance), Tracked,
        "Okra is pulling the user's transactions.";
    "USER_RETRY_OTP", Auth, Some(Mfa), Tracked,
        "The user has clicked on the option to get a new OTP code.";
    "USER_MFA_QUESTION", Auth, Some(Mfa), Automatic("by handler.screen('mfa')"),
        "The user has landed on the MFA question screen on the Okra widget.";
    "USER_COMPLETE_MFA", Auth, Some(Mfa), Tracked,
        "The user has submitted their MFA answer.";
    "USER_PAYMENT_REVIEW", Payment, Some(ReviewPayment), Automatic("by handler.screen('review_payment')"),
        "The user is reviewing the payment";
    "USER_CONFIRM_PAYMENT", Payment, Some(ReviewPayment), Tracked,
        "The user confirmed the payment.";
    "USER_AUTHORIZE_PAYMENT", Payment, Some(AuthorizePayment), Tracked,
        "The user completed the payment authorization";
    "USER_PAYMENT_ACKNOWLEDGED", Payment, Some(AuthorizePayment), Tracked,
        "The user clicks the Pay Now button";
    "USER_RUX_SELECTION", ReturningUser, Some(RuxBankSelection), Automatic("by handler.screen('rux_bank_selection')"),
        "A user viewed a list of their existing banks.";
    "USER_RUX_BANK_SELECTED", ReturningUser, Some(RuxBankSelection), Tracked,
        "The user selects an existing account.";
    "USER_RUX_NOT_FOUND", ReturningUser, Some(RuxBankSelection), Tracked,
        "No user accounts were found for provided identification.";
    "USER_NETWORK_DISCONNECTED", Network, None, Automatic("from the browser's offline event"),
        "The user lost internet connectivity or experiencing connection issues.";
    "USER_NETWORK_RECONNECTED", Network, None, Automatic("from the browser's online event"),
        "The user has reconnected to the Okra widget.";
    "USER_TIMEOUT", Network, None, Automatic("when a connection attempt or an outage outlasts its limit"),
        "The connection attempt to the user has timed out.";
    "USER_BOUNCE", Network, None, Automatic("by handler.close() before handler.success()"),
        "The user has closed the Okra widget without completing the whole flow.";
    "USER_CONNECTION_FAILED", Network, None, Automatic("by handler.fail(error)"),
        "The user has failed to connect to their account. In order to get more details on the failure, please review the {property} in the same payload.";
    "USER_CONNECTION_SUCCESSFUL", Network, None, Automatic("by handler.success(data)"),
        "The user has successfully connected their account to Okra.";
    "WIDGET_COMPLETE_PROFILING", General, None, Tracked,
        "The user has not completed setting up this internet or mobile banking account and was asked to complete profiling their profile.";
    "USER_PROFILE_ACCOUNT_REVIEW", General, None, Tracked,
        "The user was asked to profile the device to the bank.";
    "USER_APP_CLOSE", General, None, Automatic("by handler.close()"),
        "The user has closed the widget from the success or failure screen.";
    "USER_APP_REDIRECT", General, None, Tracked,
        "Redirect to page of choice after app close.";
}

/// Looks an event up by name, ignoring ASCII case and accepting the alias.
pub fn lookup(name: &str) -> Result<&'static EventSpec, Error> {
    let canonical = if name.eq_ignore_ascii_case(ALIAS_NETWORK_DISCONNECTED) {
        "USER_NETWORK_DISCONNECTED"
    } else {
        name
    };
    CATALOG
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(canonical))
        .ok_or_else(|| Error::UnknownEvent(name.to_owned()))
}

/// The catalog entry of a name the emitter itself uses. Panics only if the
/// table above loses an entry, which the catalog tests would catch first.
pub(crate) fn spec(name: &'static str) -> &'static EventSpec {
    CATALOG
        .iter()
        .find(|e| e.name == name)
        .expect("event missing from catalog")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_37_unique_names() {
        assert_eq!(CATALOG.len(), 37);
        let mut names: Vec<_> = CATALOG.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 37);
    }

    #[test]
    fn lookup_ignores_case_and_accepts_alias() {
        assert_eq!(
            lookup("user_login_attempted").unwrap().name,
            "USER_LOGIN_ATTEMPTED"
        );
        assert_eq!(
            lookup("widget_user_internet_disconnected").unwrap().name,
            "USER_NETWORK_DISCONNECTED"
        );
        let err = lookup("USER_DANCED").unwrap_err();
        assert!(err.to_string().contains("\"USER_DANCED\""), "{err}");
    }
}
