//! A decoded copy of every allocated counter, for tools and tests.

use rusteron_client::AeronCountersReader;

use crate::{counter_type, CounterKey, CounterType, KeyLayout};

/// One counter as read from the counters file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// Counter id (its slot in the counters file; reused after the counter is freed).
    pub id: i32,
    /// Type id.
    pub type_id: i32,
    /// Value at the time of reading.
    pub value: i64,
    /// Registration id from the metadata record (`-1` when unset).
    pub registration_id: i64,
    /// The label.
    pub label: String,
    /// The decoded key fields.
    pub key: CounterKey,
}

impl CounterSnapshot {
    /// Decodes one counter from what `foreach_counter` reports.
    pub fn new(
        reader: &AeronCountersReader,
        value: i64,
        id: i32,
        type_id: i32,
        key: &[u8],
        label: &str,
    ) -> Self {
        let registration_id = reader.counter_registration_id(id).unwrap_or(-1);
        Self::decode(id, type_id, value, registration_id, key, label)
    }

    /// Decodes one counter whose registration id is already known.
    pub(crate) fn decode(
        id: i32,
        type_id: i32,
        value: i64,
        registration_id: i64,
        key: &[u8],
        label: &str,
    ) -> Self {
        let layout = counter_type(type_id).map_or(KeyLayout::Opaque, |t| t.layout);
        CounterSnapshot {
            id,
            type_id,
            value,
            registration_id,
            label: label.to_owned(),
            key: CounterKey::decode(layout, key),
        }
    }

    /// The counter's type, if known.
    pub fn counter_type(&self) -> Option<&'static CounterType> {
        counter_type(self.type_id)
    }

    /// A short type name: Aeron's (`pub-pos`, `system`, ...), or `type-<id>` for unknown types.
    pub fn type_name(&self) -> String {
        self.counter_type().map_or_else(
            || format!("type-{}", self.type_id),
            |t| t.aeron_name.to_owned(),
        )
    }
}

/// Reads every allocated counter, in counter id order.
pub fn read_counters(reader: &AeronCountersReader) -> Vec<CounterSnapshot> {
    let mut out = Vec::new();
    reader.foreach_counter(|value, id, type_id, key, label| {
        out.push(CounterSnapshot::new(reader, value, id, type_id, key, label));
    });
    out
}
