//! Runs the three agents per threading mode: DEDICATED (a thread each), SHARED (one thread running their
//! duty cycles in turn) or INVOKER (no thread; the application calls the duty cycle).

use std::thread::JoinHandle;

use rusteron_client::IdleStrategy;

use super::conductor::Conductor;
use super::recorder::Recorder;
use super::replayer::Replayer;
use crate::error::ServerError;

/// An agent: a duty cycle, run until the agent says it is closed.
pub(crate) trait Agent: Send {
    /// One duty cycle; returns the work done (0: the thread may idle).
    fn do_work(&mut self) -> usize;
    /// `true` once the agent has closed everything it owns.
    fn is_closed(&self) -> bool;
}

impl Agent for Conductor {
    fn do_work(&mut self) -> usize {
        Conductor::do_work(self)
    }
    fn is_closed(&self) -> bool {
        Conductor::is_closed(self)
    }
}

impl Agent for Recorder {
    fn do_work(&mut self) -> usize {
        Recorder::do_work(self)
    }
    fn is_closed(&self) -> bool {
        Recorder::is_closed(self)
    }
}

impl Agent for Replayer {
    fn do_work(&mut self) -> usize {
        Replayer::do_work(self)
    }
    fn is_closed(&self) -> bool {
        Replayer::is_closed(self)
    }
}

/// The three agents as one (SHARED and INVOKER modes): the recorder first (so a stop request finds the
/// bytes offered before it recorded), then the conductor, then the replayer.
pub(crate) struct SharedAgents {
    pub conductor: Conductor,
    pub recorder: Recorder,
    pub replayer: Replayer,
}

impl Agent for SharedAgents {
    fn do_work(&mut self) -> usize {
        self.recorder.do_work() + self.conductor.do_work() + self.replayer.do_work()
    }
    fn is_closed(&self) -> bool {
        self.conductor.is_closed() && self.recorder.is_closed() && self.replayer.is_closed()
    }
}

/// Runs `agent` until it is closed, idling with `idle` after cycles without work.
pub(crate) fn run_agent(agent: &mut dyn Agent, idle: &mut dyn IdleStrategy) {
    while !agent.is_closed() {
        let work = agent.do_work();
        idle.idle(work.min(i32::MAX as usize) as i32);
    }
}

/// Starts a thread named `name` running `agent`.
pub(crate) fn spawn<A: Agent + 'static>(
    name: &str,
    mut agent: A,
    mut idle: Box<dyn IdleStrategy + Send>,
) -> Result<JoinHandle<()>, ServerError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || run_agent(&mut agent, idle.as_mut()))
        .map_err(|e| ServerError::Conductor(format!("cannot start thread {name}: {e}")))
}
