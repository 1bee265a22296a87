//! The pure core of okra-events.
//!
//! Everything here is plain Rust with no JavaScript dependency: the event
//! catalog, the event object, the widget session's state machine, credential
//! scrubbing and option rules. Time, online state and randomness come in as
//! plain values, so every rule is tested natively with a fake clock. The
//! `okra-events` crate binds it to the browser.
#![deny(missing_docs)]

pub mod bridge;
pub mod catalog;
pub mod delivery;
pub mod emitted;
pub mod engine;
pub mod error;
pub mod event;
pub mod ids;
pub mod json;
pub mod options;
pub mod screen;
pub mod scrub;
pub mod session;
pub mod text;
pub mod time;
pub mod value;

pub use catalog::{lookup, Category, EventSpec, Source, CATALOG};
pub use error::Error;
pub use event::Event;
pub use screen::Screen;
pub use session::{Config, Ctx, Output, Session};
pub use value::Value;
