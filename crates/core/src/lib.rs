//! The pure core of okra-events.
//!
//! Everything here is plain Rust with no JavaScript dependency: the event
//! catalog, the event object, the widget session's state machine, credential
//! scrubbing and option rules. Time, online state and randomness come in as
//! plain values, so every rule is tested natively with a fake clock. The
//! `okra-events` crate binds it to the browser.
//!
//! The modules form layers, and each uses only what is below it (within
//! layer 1, only the modules listed before it), so any part can be read,
//! tested and measured without what is above it. `tests/layers.rs` fails on
//! an import that points up.
//!
//! 1. Text and values: [`text`], [`time`], [`error`], [`value`], [`json`], [`ids`].
//! 2. The widget's vocabulary: [`screen`], [`catalog`], [`emitted`], [`event`], [`scrub`], [`options`].
//! 3. Sessions, delivery and the bridge (the widget's side): [`session`], [`delivery`], [`bridge`].
//! 4. The engine, which drives them all through one call: [`engine`].
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
