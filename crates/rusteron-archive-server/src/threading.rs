//! Threading of the archive's three agents (conductor, recorder, replayer), as Java's
//! `ArchiveThreadingMode` (`aeron.archive.threading.mode`), and their idle strategies
//! (`aeron.archive.idle.strategy`, `aeron.archive.recorder.idle.strategy`,
//! `aeron.archive.replayer.idle.strategy`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rusteron_client::{
    BackoffIdleStrategy, BusySpinIdleStrategy, IdleStrategy, NoOpIdleStrategy,
    SleepingIdleStrategy, YieldingIdleStrategy,
};

/// How the archive's agents are run (`aeron.archive.threading.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThreadingMode {
    /// No thread: the embedding application calls
    /// [`ArchiveServer::invoke`](crate::ArchiveServer::invoke), which runs one duty cycle of every agent.
    Invoker,
    /// One thread runs the conductor's, the recorder's and the replayer's duty cycles in turn.
    Shared,
    /// The conductor, the recorder and the replayer each run on their own thread (Java's default).
    #[default]
    Dedicated,
}

impl ThreadingMode {
    /// The Java name (`INVOKER`, `SHARED`, `DEDICATED`).
    pub fn as_str(self) -> &'static str {
        match self {
            ThreadingMode::Invoker => "INVOKER",
            ThreadingMode::Shared => "SHARED",
            ThreadingMode::Dedicated => "DEDICATED",
        }
    }
}

impl fmt::Display for ThreadingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ThreadingMode {
    type Err = String;

    /// Java's names (`ArchiveThreadingMode.valueOf`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "INVOKER" => Ok(ThreadingMode::Invoker),
            "SHARED" => Ok(ThreadingMode::Shared),
            "DEDICATED" => Ok(ThreadingMode::Dedicated),
            _ => Err("must be INVOKER, SHARED or DEDICATED".to_owned()),
        }
    }
}

/// What an agent's thread does when a duty cycle found no work, by the Agrona class names and aliases
/// Java's `Configuration.agentIdleStrategy` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentIdleStrategy {
    /// `noop` / `org.agrona.concurrent.NoOpIdleStrategy`: never idles.
    NoOp,
    /// `spin` / `org.agrona.concurrent.BusySpinIdleStrategy`: spins with a CPU hint.
    BusySpin,
    /// `yield` / `org.agrona.concurrent.YieldingIdleStrategy`: yields the thread.
    Yielding,
    /// `sleep-ns` / `org.agrona.concurrent.SleepingIdleStrategy`: sleeps 1 µs (Agrona's default period);
    /// `sleep-ms` / `org.agrona.concurrent.SleepingMillisIdleStrategy`: sleeps 1 ms.
    Sleeping(Duration),
    /// `backoff` / `org.agrona.concurrent.BackoffIdleStrategy` (Java's default): spins, yields, then parks
    /// up to 1 ms. The spin and yield counts are lower than Agrona's 100/100, so that idle archives do not
    /// burn the cores of small machines.
    #[default]
    Backoff,
}

impl AgentIdleStrategy {
    /// A new idle strategy of this kind (one per agent thread).
    pub fn build(self) -> Box<dyn IdleStrategy + Send> {
        match self {
            AgentIdleStrategy::NoOp => Box::new(NoOpIdleStrategy),
            AgentIdleStrategy::BusySpin => Box::new(BusySpinIdleStrategy),
            AgentIdleStrategy::Yielding => Box::new(YieldingIdleStrategy),
            AgentIdleStrategy::Sleeping(period) => Box::new(SleepingIdleStrategy::new(period)),
            AgentIdleStrategy::Backoff => Box::new(BackoffIdleStrategy::new(
                10,
                10,
                Duration::from_micros(50),
                Duration::from_millis(1),
            )),
        }
    }
}

impl FromStr for AgentIdleStrategy {
    type Err = String;

    /// Agrona class names and Aeron's aliases.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "noop" | "org.agrona.concurrent.NoOpIdleStrategy" => AgentIdleStrategy::NoOp,
            "spin" | "org.agrona.concurrent.BusySpinIdleStrategy" => AgentIdleStrategy::BusySpin,
            "yield" | "org.agrona.concurrent.YieldingIdleStrategy" => AgentIdleStrategy::Yielding,
            "sleep-ns" | "org.agrona.concurrent.SleepingIdleStrategy" => {
                AgentIdleStrategy::Sleeping(Duration::from_micros(1))
            }
            "sleep-ms" | "org.agrona.concurrent.SleepingMillisIdleStrategy" => {
                AgentIdleStrategy::Sleeping(Duration::from_millis(1))
            }
            "backoff" | "org.agrona.concurrent.BackoffIdleStrategy" => AgentIdleStrategy::Backoff,
            _ => {
                return Err(
                    "must be noop, spin, yield, sleep-ns, sleep-ms, backoff or the Agrona class of one of them"
                        .to_owned(),
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_names_parse() {
        assert_eq!("DEDICATED".parse(), Ok(ThreadingMode::Dedicated));
        assert_eq!("shared".parse(), Ok(ThreadingMode::Shared));
        assert_eq!("INVOKER".parse(), Ok(ThreadingMode::Invoker));
        assert!("BOTH".parse::<ThreadingMode>().is_err());
        assert_eq!(ThreadingMode::default(), ThreadingMode::Dedicated);
        assert_eq!(
            "org.agrona.concurrent.BackoffIdleStrategy".parse(),
            Ok(AgentIdleStrategy::Backoff)
        );
        assert_eq!("yield".parse(), Ok(AgentIdleStrategy::Yielding));
        assert_eq!(
            "sleep-ms".parse(),
            Ok(AgentIdleStrategy::Sleeping(Duration::from_millis(1)))
        );
        assert!("org.example.Mine".parse::<AgentIdleStrategy>().is_err());
    }
}
