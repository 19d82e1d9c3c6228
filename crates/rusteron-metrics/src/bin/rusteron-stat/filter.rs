//! Which counters the table shows.

use rusteron_metrics::{find_counter_type, CounterSnapshot};

use crate::cli::Args;
use crate::StatError;

/// The table's row filter.
pub struct Filter {
    type_ids: Vec<i32>,
    stream: Option<i32>,
    session: Option<i32>,
    label: Option<String>,
}

impl Filter {
    pub fn from_args(args: &Args) -> Result<Self, StatError> {
        let type_ids = args
            .types
            .iter()
            .map(|t| match find_counter_type(t) {
                Some(ct) => Ok(ct.type_id),
                // A numeric id of a type this crate does not name is still a valid filter.
                None => t.trim().parse::<i32>().map_err(|_| {
                    StatError::Usage(format!(
                        "unknown counter type {t:?} (use a type id, e.g. 12, or a name, e.g. pub-pos)"
                    ))
                }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Filter {
            type_ids,
            stream: args.stream,
            session: args.session,
            label: args.label.clone(),
        })
    }

    pub fn matches(&self, c: &CounterSnapshot) -> bool {
        (self.type_ids.is_empty() || self.type_ids.contains(&c.type_id))
            && (self.stream.is_none() || self.stream == c.key.stream_id())
            && (self.session.is_none() || self.session == c.key.session_id())
            && self
                .label
                .as_ref()
                .is_none_or(|needle| c.label.contains(needle.as_str()))
    }
}
