//! How the session emits each catalog event: the screens it can carry in
//! `event_screen` and the `withError` it gets. The session follows these
//! rules ([`landing_event`] is what it calls), the published JSON Schema
//! states them per event name, and a property test drives random sessions
//! to check that every event keeps them.
//!
//! Layer 2 (the widget's vocabulary; see the crate's documentation): it uses only the layers below it.

use crate::catalog::CATALOG;
use crate::screen::Screen;

/// The landing event a screen emits when it is entered.
pub fn landing_event(screen: Screen) -> Option<&'static str> {
    Some(match screen {
        Screen::Bank => "USER_VIEWED_BANKS",
        Screen::AccountSelection => "USER_ACCOUNT_SELECTION",
        Screen::Mfa => "USER_MFA_QUESTION",
        Screen::ReviewPayment => "USER_PAYMENT_REVIEW",
        Screen::RuxBankSelection => "USER_RUX_SELECTION",
        Screen::NoSearchResult => "USER_BANK_SEARCH_NO_RESULTS",
        _ => return None,
    })
}

/// The screen the search engagement timer runs on: USER_BANK_SEARCH fires
/// only while it is shown (leaving it cancels the timer).
pub const SEARCH_SCREEN: Screen = Screen::Search;

/// The `event_screen` values an event can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenRule {
    /// Always null: emitted before any screen is shown (USER_CONNECTING,
    /// at `buildWithOptions`).
    Null,
    /// Always this screen: a landing event, or USER_BANK_SEARCH.
    Only(Screen),
    /// Any screen, never null: emitted by a screen change (USER_CONNECTED).
    AnyScreen,
    /// Any screen, or null when it happens before the first one.
    Any,
}

impl ScreenRule {
    /// Whether an event with this `event_screen` keeps the rule.
    pub fn allows(self, screen: Option<Screen>) -> bool {
        match self {
            ScreenRule::Null => screen.is_none(),
            ScreenRule::Only(s) => screen == Some(s),
            ScreenRule::AnyScreen => screen.is_some(),
            ScreenRule::Any => true,
        }
    }
}

/// The `event_screen` rule of a catalog event (canonical name).
pub fn screen_rule(name: &str) -> ScreenRule {
    if let Some(screen) = Screen::ALL
        .into_iter()
        .find(|&s| landing_event(s) == Some(name))
    {
        return ScreenRule::Only(screen);
    }
    match name {
        "USER_CONNECTING" => ScreenRule::Null,
        "USER_CONNECTED" => ScreenRule::AnyScreen,
        "USER_BANK_SEARCH" => ScreenRule::Only(SEARCH_SCREEN),
        _ => ScreenRule::Any,
    }
}

/// The `withError` an event can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFlag {
    /// Always true: the event is the error the user is shown.
    Always,
    /// Always false.
    Never,
    /// Either: USER_NETWORK_DISCONNECTED is an error only when it cuts a
    /// connection attempt short.
    Either,
}

impl ErrorFlag {
    /// Whether an event with this `withError` keeps the rule.
    pub fn allows(self, with_error: bool) -> bool {
        match self {
            ErrorFlag::Always => with_error,
            ErrorFlag::Never => !with_error,
            ErrorFlag::Either => true,
        }
    }
}

/// The `withError` rule of a catalog event (canonical name).
pub fn error_flag(name: &str) -> ErrorFlag {
    match name {
        "USER_CONNECTION_FAILED" | "USER_TIMEOUT" => ErrorFlag::Always,
        "USER_NETWORK_DISCONNECTED" => ErrorFlag::Either,
        _ => ErrorFlag::Never,
    }
}

/// Every catalog event with its two rules, in catalog order.
pub fn rules() -> impl Iterator<Item = (&'static str, ScreenRule, ErrorFlag)> {
    CATALOG
        .iter()
        .map(|e| (e.name, screen_rule(e.name), error_flag(e.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_landing_event_is_in_the_catalog() {
        for s in Screen::ALL {
            if let Some(name) = landing_event(s) {
                assert_eq!(crate::catalog::lookup(name).unwrap().name, name);
                assert_eq!(screen_rule(name), ScreenRule::Only(s));
            }
        }
    }
}
