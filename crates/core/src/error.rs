//! The core's one error type. The wasm layer turns each variant into a
//! JavaScript `TypeError` or `Error` once, at the boundary.

use thiserror::Error;

/// Everything a caller can get wrong. Messages name what was wrong and what
/// would be right, because they are shown to developers as they are.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// An option failed validation.
    #[error("okra-events: option `{option}` must be {expected}, got {given}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// What it should have been.
        expected: &'static str,
        /// A short description of what was passed.
        given: String,
    },
    /// `buildWithOptions` got something other than an options object.
    #[error("okra-events: buildWithOptions expects an options object, got {0}")]
    NotAnObject(String),
    /// A handler method got an argument of the wrong type.
    #[error("okra-events: {method}() expects {expected}, got {given}")]
    InvalidArgument {
        /// The method, e.g. "screen".
        method: &'static str,
        /// What it should have been.
        expected: &'static str,
        /// A short description of what was passed.
        given: String,
    },
    /// `buildWithOptions` was called where there is no `window`.
    #[error("okra-events: buildWithOptions needs a browser window, but `window` is not defined here (server-side rendering?); call it in the browser, e.g. from an event handler or effect")]
    NoWindow,
    /// `handler.screen` got a name that is not a screen.
    #[error("okra-events: unknown screen \"{0}\"; expected one of landing, login_method, bank, search, no_search_result, login, account_selection, balance, mfa, review_payment, authorize_payment, rux_bank_selection, success, failure")]
    UnknownScreen(String),
    /// `handler.track` got a name that is not in the catalog.
    #[error("okra-events: unknown event \"{0}\"; see Okra.events for the catalog")]
    UnknownEvent(String),
    /// `handler.track` got an event that okra-events emits by itself.
    #[error("okra-events: {name} cannot be tracked: it is emitted automatically {how}")]
    NotTrackable {
        /// Canonical event name.
        name: &'static str,
        /// What emits it instead.
        how: &'static str,
    },
    /// Data passed with an event or screen could not be used.
    #[error("okra-events: {what} must be a plain JSON object: {reason}")]
    InvalidData {
        /// Which argument, e.g. "track(\"USER_BANK_SELECTED\", data) data".
        what: String,
        /// Why it was refused.
        reason: String,
    },
    /// The event a call would make is larger than [`MAX_EVENT_BYTES`] as
    /// JSON. Nothing was emitted or queued, and the session goes on.
    #[error("okra-events: {call} would make a {event} event of {size} bytes of JSON, over the limit of 32768 bytes (32 KiB); nothing was emitted")]
    EventTooLarge {
        /// The call, e.g. `track(name, data)`.
        call: &'static str,
        /// The event it would make (for `screen`, the biggest event its
        /// details would ride on).
        event: &'static str,
        /// The event's size as JSON, in bytes (UTF-8).
        size: usize,
    },
    /// A call after `destroy()`.
    #[error("okra-events: {0}() was called after destroy(); build a new handler with Okra.buildWithOptions")]
    Destroyed(&'static str),
    /// A call after `close()` that only makes sense while the widget is open.
    #[error("okra-events: {0}() was called after close(); only track('USER_APP_REDIRECT') is allowed once the widget is closed")]
    Closed(&'static str),
    /// `success()` a second time.
    #[error("okra-events: success() was already called for this session")]
    AlreadySucceeded,
}

impl Error {
    /// Whether JavaScript should see a `TypeError` (bad argument) rather than
    /// a plain `Error` (wrong moment in the handler's life).
    pub fn is_type_error(&self) -> bool {
        matches!(
            self,
            Error::InvalidOption { .. }
                | Error::NotAnObject(_)
                | Error::InvalidArgument { .. }
                | Error::UnknownScreen(_)
                | Error::UnknownEvent(_)
                | Error::NotTrackable { .. }
                | Error::InvalidData { .. }
                | Error::EventTooLarge { .. }
        )
    }
}
