//! okra-eventlog: the receiver for okra-events webhooks (SPEC sections 6
//! and 7).
//!
//! It stores delivered events in SQLite with a full-text index (or in
//! PostgreSQL, shared by several instances: [`pg`]), and lets a
//! person find them: keyword search, date presets in their own time zone,
//! session grouping and JSON export, through an HTTP API and a dashboard.
//! The event schema is the core crate's [`okra_events_core::Event`], not a
//! copy.
//!
//! Modules, one job each: [`config`] (flags and environment), [`server`]
//! (routes and start-up), [`ingest`] (`POST /events`), [`writer`] (the
//! group-commit write queue), [`db`] (schema and storage), [`query`]
//! (search), [`export`] (streamed downloads), [`range`] (date presets),
//! [`priority`] (thread priorities),
//! [`auth`] (token and session cookie), [`ratelimit`] (ingest limits),
//! [`clock`] (the clock rate limits and sessions read),
//! [`dashboard`] (the page), [`schemas`] (the published JSON Schemas),
//! [`error`] (error answers), [`store`] (the
//! backend handlers call: SQLite or PostgreSQL) and [`pg`] (PostgreSQL).
#![deny(missing_docs)]

pub mod auth;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod erase;
pub mod error;
pub mod export;
pub mod ingest;
pub mod pg;
pub mod priority;
pub mod proxy;
pub mod query;
pub mod range;
pub mod ratelimit;
pub mod schemas;
pub mod server;
pub mod stats;
pub mod store;
pub mod writer;

pub use config::Config;
pub use server::Server;
