//! One pass over the counters: registers a `metrics` handle per counter the first time it is seen (and
//! again when its slot is reused by another counter), then updates every handle with the current value.

use std::collections::HashSet;

use metrics::{Key, Label, Level, Metadata, Recorder};
use rusteron_client::AeronCountersReader;

use crate::{CounterSnapshot, MetricDescriptor, MetricType};

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// Naming options shared by every metric.
#[derive(Debug, Clone)]
pub(crate) struct NamingOptions {
    pub prefix: String,
    pub extra_labels: Vec<(String, String)>,
    pub counter_id_label: bool,
}

enum Handle {
    Counter(metrics::Counter),
    Gauge(metrics::Gauge),
}

/// What identifies the counter behind a cached handle: a freed and reused slot differs in one of these.
struct Entry {
    type_id: i32,
    registration_id: i64,
    key: Box<[u8]>,
    handle: Handle,
    seen: u64,
}

/// Emits counters to a recorder, caching one handle per counter.
pub(crate) struct Emitter {
    options: NamingOptions,
    entries: Vec<Option<Entry>>,
    described: HashSet<String>,
    pass: u64,
}

impl Emitter {
    pub fn new(options: NamingOptions) -> Self {
        Emitter {
            options,
            entries: Vec::new(),
            described: HashSet::new(),
            pass: 0,
        }
    }

    /// Emits the current value of every allocated counter to `recorder`; forgets freed counters.
    pub fn emit(&mut self, reader: &AeronCountersReader, recorder: &dyn Recorder) {
        self.pass += 1;
        let pass = self.pass;
        reader.foreach_counter(|value, id, type_id, key, label| {
            let Ok(slot) = usize::try_from(id) else {
                return;
            };
            if self.entries.len() <= slot {
                self.entries.resize_with(slot + 1, || None);
            }
            let registration_id = reader.counter_registration_id(id).unwrap_or(-1);
            let same = matches!(&self.entries[slot], Some(e)
                if e.type_id == type_id && e.registration_id == registration_id && *e.key == *key);
            if !same {
                let snapshot =
                    CounterSnapshot::decode(id, type_id, value, registration_id, key, label);
                let handle = self.register(&snapshot, recorder);
                self.entries[slot] = Some(Entry {
                    type_id,
                    registration_id,
                    key: key.into(),
                    handle,
                    seen: pass,
                });
            }
            if let Some(entry) = &mut self.entries[slot] {
                entry.seen = pass;
                match &entry.handle {
                    Handle::Counter(c) => c.absolute(u64::try_from(value).unwrap_or(0)),
                    Handle::Gauge(g) => g.set(value as f64),
                }
            }
        });
        for slot in &mut self.entries {
            if slot.as_ref().is_some_and(|e| e.seen != pass) {
                *slot = None;
            }
        }
    }

    fn register(&mut self, counter: &CounterSnapshot, recorder: &dyn Recorder) -> Handle {
        let d = MetricDescriptor::for_counter(&self.options.prefix, counter);
        let mut labels: Vec<Label> = d
            .labels
            .iter()
            .map(|(k, v)| Label::new(*k, v.clone()))
            .collect();
        if self.options.counter_id_label && !d.labels.iter().any(|(k, _)| *k == "counter_id") {
            labels.push(Label::new("counter_id", counter.id.to_string()));
        }
        labels.extend(
            self.options
                .extra_labels
                .iter()
                .map(|(k, v)| Label::new(k.clone(), v.clone())),
        );
        if self.described.insert(d.name.clone()) {
            match d.metric_type {
                MetricType::Counter => {
                    recorder.describe_counter(d.name.clone().into(), d.unit, d.description.into())
                }
                MetricType::Gauge => {
                    recorder.describe_gauge(d.name.clone().into(), d.unit, d.description.into())
                }
            }
        }
        let key = Key::from_parts(d.name, labels);
        match d.metric_type {
            MetricType::Counter => Handle::Counter(recorder.register_counter(&key, &METADATA)),
            MetricType::Gauge => Handle::Gauge(recorder.register_gauge(&key, &METADATA)),
        }
    }
}
