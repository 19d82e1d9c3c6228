//! Core pinning for the wall-clock runs: on a machine with at least 4 cores the driver, the partner and the
//! measuring side each get a core of their own (`taskset -c`), so they no longer preempt each other; on
//! fewer cores nothing is pinned (two spinning processes and the driver share the cores as the scheduler
//! decides, which is what the figures of such a machine mean).

use std::process::Command;

/// Cores given to each process of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pins {
    pub driver: usize,
    pub partner: usize,
    pub measuring: usize,
}

/// The pinning used on a machine with `nproc` cores: cores 1, 2, 3 (core 0 keeps the rest of the system),
/// or none below 4 cores.
pub fn plan(nproc: usize) -> Option<Pins> {
    (nproc >= 4).then_some(Pins {
        driver: 1,
        partner: 2,
        measuring: 3,
    })
}

/// The pinning for this machine.
pub fn current() -> Option<Pins> {
    plan(
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    )
}

/// `cmd` run on `core` (through `taskset -c`), or `cmd` itself without a core.
pub fn wrap(cmd: Command, core: Option<usize>) -> Command {
    let Some(core) = core else { return cmd };
    let mut pinned = Command::new("taskset");
    pinned
        .arg("-c")
        .arg(core.to_string())
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        pinned.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => pinned.env(k, v),
            None => pinned.env_remove(k),
        };
    }
    pinned
}

/// How the report describes the pinning.
pub fn describe(p: Option<Pins>) -> String {
    match p {
        Some(p) => format!(
            "pinned with `taskset`: driver on core {}, pong/subscriber on core {}, ping/publisher on core {}",
            p.driver, p.partner, p.measuring
        ),
        None => "not pinned (fewer than 4 cores: the scheduler places driver, partner and measuring side)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_only_from_four_cores_and_wraps_with_taskset() {
        assert_eq!(plan(2), None);
        assert_eq!(
            plan(4),
            Some(Pins {
                driver: 1,
                partner: 2,
                measuring: 3
            })
        );
        let mut c = Command::new("prog");
        c.arg("-x");
        let w = wrap(c, Some(3));
        assert_eq!(w.get_program(), "taskset");
        let args: Vec<_> = w
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["-c", "3", "prog", "-x"]);
        assert_eq!(wrap(Command::new("prog"), None).get_program(), "prog");
    }
}
