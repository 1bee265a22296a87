//! What the engine asks of the JavaScript entry, as text.
//!
//! Every call returns one string of records. A record is a line: a one-letter
//! tag, then its fields, each after a tab. Fields are numbers, storage keys,
//! URLs or compact JSON, none of which holds a raw tab or newline (JSON
//! escapes them inside strings, and URLs are refused with whitespace), so the
//! entry splits the text with no escaping. The tags are listed in
//! [`crate::engine`].

use crate::json;
use crate::Value;

/// The records of one call.
#[derive(Debug, Default)]
pub struct Out {
    text: String,
}

impl Out {
    /// Starts a record: its tag and the handle or sender it is for.
    pub fn tag(&mut self, tag: char, id: u32) -> &mut Self {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push(tag);
        self.text.push('\t');
        json::write_u64(&mut self.text, u64::from(id));
        self
    }

    /// Adds a text field.
    pub fn str(&mut self, field: &str) -> &mut Self {
        self.text.push('\t');
        self.text.push_str(field);
        self
    }

    /// Adds a number field.
    pub fn num(&mut self, n: u64) -> &mut Self {
        self.text.push('\t');
        json::write_u64(&mut self.text, n);
        self
    }

    /// Adds a value as compact JSON.
    pub fn json(&mut self, v: &Value) -> &mut Self {
        self.text.push('\t');
        json::write_value(&mut self.text, v);
        self
    }

    /// Appends records taken from another [`Out`].
    pub fn str_raw(&mut self, records: &str) -> &mut Self {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(records);
        self
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Appends one character to the current field.
    pub fn push(&mut self, c: char) {
        self.text.push(c);
    }

    /// The text, to write a field in place (e.g. an event's JSON).
    pub fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// Takes the records written so far.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}
