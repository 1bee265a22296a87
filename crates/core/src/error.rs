//! The core's one error type. The wasm layer turns each variant into a
//! JavaScript `TypeError` or `Error` once, at the boundary.
//!
//! Layer 1 (text and values; see the crate's documentation): it uses only the modules listed before it in its layer.

use crate::text::{cat, num};

/// Everything a caller can get wrong. Messages name what was wrong and what
/// would be right, because they are shown to developers as they are.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An option failed validation.
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// What it should have been.
        expected: &'static str,
        /// A short description of what was passed.
        given: String,
    },
    /// `buildWithOptions` got something other than an options object.
    NotAnObject(String),
    /// A handler method got an argument of the wrong type.
    InvalidArgument {
        /// The method, e.g. "screen".
        method: &'static str,
        /// What it should have been.
        expected: &'static str,
        /// A short description of what was passed.
        given: String,
    },
    /// `buildWithOptions` was called where there is no `window`.
    NoWindow,
    /// `connectToHost` was called in a page that has no host to connect to:
    /// not in a frame, and not in a React Native WebView it may answer.
    /// `app` is whether the page runs in a React Native WebView (then
    /// `allowNativeHost` was not true).
    NoHost {
        /// Whether a React Native WebView's bridge is on the page.
        app: bool,
    },
    /// `handler.screen` got a name that is not a screen.
    UnknownScreen(String),
    /// `handler.track` got a name that is not in the catalog.
    UnknownEvent(String),
    /// `handler.track` got an event that okra-events emits by itself.
    NotTrackable {
        /// Canonical event name.
        name: &'static str,
        /// What emits it instead.
        how: &'static str,
    },
    /// Data passed with an event or screen could not be used.
    InvalidData {
        /// Which argument, e.g. "track(\"USER_BANK_SELECTED\", data) data".
        what: String,
        /// Why it was refused.
        reason: String,
    },
    /// The event a call would make is larger than [`MAX_EVENT_BYTES`] as
    /// JSON. Nothing was emitted or queued, and the session goes on.
    EventTooLarge {
        /// The call, e.g. `track(name, data)`.
        call: &'static str,
        /// The event it would make (for `screen`, the biggest event its
        /// details would ride on).
        event: &'static str,
        /// The event's size as JSON, in bytes (UTF-8).
        size: usize,
    },
    /// A host's options would make an `ack` message of this many bytes,
    /// over the bridge's bound.
    OptionsTooLarge(usize),
    /// A call after `destroy()`.
    Destroyed(&'static str),
    /// A call after `close()` that only makes sense while the widget is open.
    Closed(&'static str),
    /// `success()` a second time.
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
                | Error::OptionsTooLarge(_)
        )
    }
}

/// Every message starts with this, so a developer knows where it came from.
const P: &str = "okra-events: ";

impl Error {
    /// The message shown to developers. Built by concatenation, so the
    /// shipped wasm carries no formatting machinery.
    pub fn message(&self) -> String {
        match self {
            Error::InvalidOption { option, expected, given } => {
                cat(&[P, "option `", option, "` must be ", expected, ", got ", given])
            }
            Error::NotAnObject(given) => {
                cat(&[P, "buildWithOptions expects an options object, got ", given])
            }
            Error::InvalidArgument { method, expected, given } => {
                cat(&[P, method, "() expects ", expected, ", got ", given])
            }
            Error::NoWindow => cat(&[P, "buildWithOptions needs a browser window, and `window` is not defined here (server-side rendering?)"]),
            Error::NoHost { app: false } => cat(&[P, "connectToHost must run in the widget's iframe (or, with allowNativeHost: true, in a React Native WebView), but this page is not in a frame"]),
            Error::NoHost { app: true } => cat(&[P, "connectToHost runs in a React Native WebView, not in a frame, and does not answer an app without the option allowNativeHost: true"]),
            Error::UnknownScreen(name) => cat(&[P, "unknown screen \"", name, "\"; expected one of landing, login_method, bank, search, no_search_result, login, account_selection, balance, mfa, review_payment, authorize_payment, rux_bank_selection, success, failure"]),
            Error::UnknownEvent(name) => {
                cat(&[P, "unknown event \"", name, "\"; see Okra.events for the catalog"])
            }
            Error::NotTrackable { name, how } => {
                cat(&[P, name, " cannot be tracked: it is emitted automatically ", how])
            }
            Error::InvalidData { what, reason } => {
                cat(&[P, what, " must be a plain JSON object: ", reason])
            }
            Error::EventTooLarge { call, event, size } => cat(&[
                P, call, " would make a ", event, " event of ", &num(*size as u64),
                " bytes of JSON, over the limit of 32768 bytes (32 KiB); nothing was emitted",
            ]),
            Error::OptionsTooLarge(size) => cat(&[
                P, "the options are ", &num(*size as u64),
                " bytes of JSON, over the 262144 bytes (256 KiB) a message to the widget may have",
            ]),
            Error::Destroyed(method) => cat(&[P, method, "() was called after destroy(); build a new handler with Okra.buildWithOptions"]),
            Error::Closed(method) => cat(&[P, method, "() was called after close(); only track('USER_APP_REDIRECT') is allowed once the widget is closed"]),
            Error::AlreadySucceeded => cat(&[P, "success() was already called for this session"]),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}
