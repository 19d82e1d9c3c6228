//! Idle strategies for polling loops.

use std::time::Duration;

/// What a polling loop does when a duty cycle did (or did not) find work.
pub trait IdleStrategy {
    /// Idles according to `work_count` (0: nothing was done).
    fn idle(&mut self, work_count: i32) {
        if work_count > 0 {
            self.reset();
        } else {
            self.idle_once();
        }
    }
    /// Idles once unconditionally.
    fn idle_once(&mut self);
    /// Resets internal state after work was found.
    fn reset(&mut self) {}
}

/// Spins with a CPU hint; lowest latency, burns a core.
#[derive(Debug, Default, Clone, Copy)]
pub struct BusySpinIdleStrategy;

impl IdleStrategy for BusySpinIdleStrategy {
    fn idle_once(&mut self) {
        std::hint::spin_loop();
    }
}

/// Does nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoOpIdleStrategy;

impl IdleStrategy for NoOpIdleStrategy {
    fn idle_once(&mut self) {}
}

/// Yields the thread.
#[derive(Debug, Default, Clone, Copy)]
pub struct YieldingIdleStrategy;

impl IdleStrategy for YieldingIdleStrategy {
    fn idle_once(&mut self) {
        std::thread::yield_now();
    }
}

/// Sleeps for a fixed period.
#[derive(Debug, Clone, Copy)]
pub struct SleepingIdleStrategy {
    period: Duration,
}

impl SleepingIdleStrategy {
    /// Sleeps `period` per idle.
    pub fn new(period: Duration) -> Self {
        SleepingIdleStrategy { period }
    }
}

impl Default for SleepingIdleStrategy {
    fn default() -> Self {
        SleepingIdleStrategy::new(Duration::from_millis(1))
    }
}

impl IdleStrategy for SleepingIdleStrategy {
    fn idle_once(&mut self) {
        std::thread::sleep(self.period);
    }
}

/// Spins, then yields, then parks with exponential backoff up to a maximum.
#[derive(Debug, Clone, Copy)]
pub struct BackoffIdleStrategy {
    max_spins: u32,
    max_yields: u32,
    min_park: Duration,
    max_park: Duration,
    spins: u32,
    yields: u32,
    park: Duration,
}

impl BackoffIdleStrategy {
    /// A backoff strategy with the given limits.
    pub fn new(max_spins: u32, max_yields: u32, min_park: Duration, max_park: Duration) -> Self {
        BackoffIdleStrategy {
            max_spins,
            max_yields,
            min_park,
            max_park,
            spins: 0,
            yields: 0,
            park: min_park,
        }
    }
}

impl Default for BackoffIdleStrategy {
    /// Aeron's defaults: 10 spins, 5 yields, park 1µs .. 1ms.
    fn default() -> Self {
        BackoffIdleStrategy::new(10, 5, Duration::from_micros(1), Duration::from_millis(1))
    }
}

impl IdleStrategy for BackoffIdleStrategy {
    fn idle_once(&mut self) {
        if self.spins < self.max_spins {
            self.spins += 1;
            std::hint::spin_loop();
        } else if self.yields < self.max_yields {
            self.yields += 1;
            std::thread::yield_now();
        } else {
            std::thread::sleep(self.park);
            self.park = (self.park * 2).min(self.max_park);
        }
    }

    fn reset(&mut self) {
        self.spins = 0;
        self.yields = 0;
        self.park = self.min_park;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_resets() {
        let mut s =
            BackoffIdleStrategy::new(1, 1, Duration::from_micros(1), Duration::from_micros(4));
        for _ in 0..6 {
            s.idle(0);
        }
        assert_eq!(s.park, Duration::from_micros(4));
        s.idle(1);
        assert_eq!(s.park, Duration::from_micros(1));
        assert_eq!(s.spins, 0);
    }
}
