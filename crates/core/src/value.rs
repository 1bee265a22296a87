//! A JSON value that keeps object keys in insertion order.
//!
//! Event data arrives from JavaScript as arbitrary objects. The core reads,
//! scrubs and re-emits it. Numbers keep their JSON text, so a number passes
//! through unchanged and the shipped wasm never needs float formatting. The
//! wasm layer crosses the boundary as JSON text (see [`crate::json`]); native
//! code and the event log use the serde impls below with serde_json.
//!
//! Layer 1 (text and values; see the crate's documentation): it uses only the modules listed before it in its layer.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How deeply objects and arrays may nest. Deeper input is refused, which also
/// turns a circular JavaScript object into a clear error instead of a crash.
pub const MAX_DEPTH: u32 = 32;

/// A JSON value. Objects are ordered lists of entries, so keys come back out in
/// the order the caller wrote them.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null` (also what `undefined` becomes).
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its JSON text (e.g. `3`, `-1.5e3`).
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, in insertion order.
    Object(Map),
}

/// An insertion-ordered object.
pub type Map = Vec<(String, Value)>;

impl Value {
    /// An empty object.
    pub fn object() -> Value {
        Value::Object(Vec::new())
    }

    /// The entries of an object, or `None` for any other value.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The string inside, or `None`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Looks a key up in an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets a key on an object, replacing an existing entry in place. Does
    /// nothing on values that are not objects.
    pub fn set(&mut self, key: &str, value: Value) {
        if let Value::Object(map) = self {
            match map.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value,
                None => map.push((key.to_owned(), value)),
            }
        }
    }

    /// Sets a key only when the object does not have it yet.
    pub fn set_default(&mut self, key: &str, value: Value) {
        if self.get(key).is_none() {
            self.set(key, value);
        }
    }

    /// A short name for the kind of value, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        let mut text = String::new();
        crate::text::write_u64(&mut text, n);
        Value::Number(text)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            // Whole numbers go out as integers so that native JSON reads `3`, not `3.0`.
            Value::Number(text) => match text.parse::<i64>() {
                Ok(i) => serializer.serialize_i64(i),
                Err(_) => serializer.serialize_f64(text.parse::<f64>().unwrap_or(0.0)),
            },
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
    }
}

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Counts nesting while a container is being read; the count goes back down
/// when the guard drops, on success and on error alike.
struct DepthGuard;

impl DepthGuard {
    fn enter<E: de::Error>() -> Result<DepthGuard, E> {
        DEPTH.with(|d| {
            if d.get() >= MAX_DEPTH {
                Err(E::custom(format_args!(
                    "nested deeper than {MAX_DEPTH} levels (is it circular?)"
                )))
            } else {
                d.set(d.get() + 1);
                Ok(DepthGuard)
            }
        })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // JSON has no NaN or Infinity; JSON.stringify writes them as null.
        Ok(if n.is_finite() {
            Value::Number(format!("{n:?}"))
        } else {
            Value::Null
        })
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let _guard = DepthGuard::enter()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let _guard = DepthGuard::enter()?;
        let mut map: Map = Vec::with_capacity(access.size_hint().unwrap_or(0).min(64));
        while let Some(entry) = access.next_entry::<String, Value>()? {
            map.push(entry);
        }
        merge_duplicate_keys(&mut map);
        Ok(Value::Object(map))
    }
}

/// Counts the work of merging duplicate keys, so tests bound its cost by
/// counting operations instead of timing them (a time bound fails on a
/// loaded machine and lets a slow algorithm pass on a fast one).
///
/// Every key comparison [`merge_duplicate_keys`] makes is counted, per
/// thread. Counting exists only with the `op-counts` feature (which the
/// event log's tests turn on) and in this crate's own tests; otherwise
/// [`tally`] compiles to nothing and [`count`](op_counts::count) does not
/// exist.
pub mod op_counts {
    #[cfg(any(test, feature = "op-counts"))]
    use std::cell::Cell;

    #[cfg(any(test, feature = "op-counts"))]
    std::thread_local! {
        static COUNT: Cell<u64> = const { Cell::new(0) };
        static BUDGET: Cell<u64> = const { Cell::new(u64::MAX) };
    }

    /// Runs `f` and returns its result with the key comparisons it made on
    /// this thread. Panics as soon as they exceed `budget`, so a quadratic
    /// regression fails at once instead of running for minutes.
    #[cfg(any(test, feature = "op-counts"))]
    pub fn count<T>(budget: u64, f: impl FnOnce() -> T) -> (T, u64) {
        /// Lifts the budget again, even when `f` panics.
        struct Lift;
        impl Drop for Lift {
            fn drop(&mut self) {
                BUDGET.with(|b| b.set(u64::MAX));
            }
        }
        let _lift = Lift;
        COUNT.with(|c| c.set(0));
        BUDGET.with(|b| b.set(budget));
        let out = f();
        (out, COUNT.with(Cell::get))
    }

    /// Counts one key comparison (nothing without the feature).
    #[inline(always)]
    pub(crate) fn tally() {
        #[cfg(any(test, feature = "op-counts"))]
        {
            let n = COUNT.with(|c| {
                c.set(c.get() + 1);
                c.get()
            });
            let budget = BUDGET.with(Cell::get);
            assert!(
                n <= budget,
                "over budget: more than {budget} key comparisons"
            );
        }
    }
}

/// Merges repeated keys as `JSON.parse` does: the key keeps the place of its
/// first occurrence and takes the value of its last.
///
/// Sorting positions by key costs O(n log n) whatever the input; looking each
/// key up in the entries read so far cost O(n²), which let one 1 MiB body of
/// 130,000 keys take 20 s of CPU in the event log. A sort rather than a hash
/// set keeps the result independent of hashing (and of the wasm target's lack
/// of random hash keys).
pub(crate) fn merge_duplicate_keys(map: &mut Map) {
    if map.len() < 2 {
        return;
    }
    // Most objects are small and have no duplicate: say so without the
    // allocations of the sort below (this runs for every event's data).
    let small = map.len() <= 16;
    if small
        && !(1..map.len()).any(|i| {
            map[..i].iter().any(|(k, _)| {
                op_counts::tally();
                *k == map[i].0
            })
        })
    {
        return;
    }
    let mut order: Vec<usize> = (0..map.len()).collect();
    // Stable, so equal keys stay in input order.
    order.sort_by(|&a, &b| {
        op_counts::tally();
        map[a].0.cmp(&map[b].0)
    });
    let mut drop = vec![false; map.len()];
    let mut any = false;
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && {
            op_counts::tally();
            map[order[j]].0 == map[order[i]].0
        } {
            j += 1;
        }
        if j - i > 1 {
            any = true;
            let (first, last) = (order[i], order[j - 1]);
            let value = std::mem::take(&mut map[last].1);
            map[first].1 = value;
            for &k in &order[i + 1..j] {
                drop[k] = true;
            }
        }
        i = j;
    }
    if any {
        let mut index = 0;
        map.retain(|_| {
            index += 1;
            !drop[index - 1]
        });
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_round_trips() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":[true,null,"x"],"c":{"d":1.5}}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"b":1,"a":[true,null,"x"],"c":{"d":1.5}}"#
        );
    }

    #[test]
    fn refuses_excessive_nesting_and_recovers() {
        let deep = "[".repeat(40) + &"]".repeat(40);
        let err = serde_json::from_str::<Value>(&deep).unwrap_err();
        assert!(err.to_string().contains("nested deeper than 32"), "{err}");
        // The depth counter is back at zero after the failure.
        let ok = "[".repeat(30) + &"]".repeat(30);
        assert!(serde_json::from_str::<Value>(&ok).is_ok());
    }

    #[test]
    fn duplicate_keys_keep_the_first_place_and_the_last_value() {
        let v: Value = serde_json::from_str(r#"{"a":1,"b":2,"a":3,"c":4,"b":5,"a":6}"#).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":6,"b":5,"c":4}"#);
    }

    #[test]
    fn many_keys_cost_linear_time() {
        // 130,000 distinct keys plus as many repeats: quadratic key lookup
        // took tens of seconds here, the sort takes milliseconds.
        let mut text = String::from("{");
        for i in 0..130_000 {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        for i in 0..1_000 {
            text.push_str(&format!("\"k{i}\":\"again\","));
        }
        text.push_str("\"end\":0}");
        let n = 131_001;
        let (v, compared) = op_counts::count(n_log_n(n), || serde_json::from_str::<Value>(&text));
        let map = v.as_ref().unwrap().as_object().unwrap();
        assert_eq!(map.len(), 130_001);
        assert_eq!(map[0], ("k0".to_owned(), Value::from("again")));
        assert_eq!(map[1_000].1, Value::Number("1000".into()));
        // Counted, not timed: at most 2 n log2 n comparisons (4.5 million
        // for these 131,001 entries), where a lookup per key makes n²/2 (8.6
        // billion), whatever the machine's load.
        assert!(compared >= n - 1, "{compared}: every entry is compared");
    }

    /// `2 n ⌈log2 n⌉`: a budget of key comparisons for merging `n` entries
    /// that a sort stays under and a lookup per key (n²/2) soon exceeds.
    pub(crate) fn n_log_n(n: u64) -> u64 {
        2 * n * u64::from(u64::BITS - (n - 1).leading_zeros())
    }

    #[test]
    fn set_replaces_in_place() {
        let mut v = Value::object();
        v.set("a", 1u64.into());
        v.set("b", 2u64.into());
        v.set("a", 3u64.into());
        v.set_default("b", 9u64.into());
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":3,"b":2}"#);
    }
}
