//! One checker's result counting, as keepalived's checkers do it (`tcp_epilog` and friends):
//! a failure while up is retried `retry` times, `delay_before_retry` apart, before the checker
//! goes down; one success brings it back; otherwise the next check is `delay_loop` away.

use std::time::Duration;

use super::spec::CheckSpec;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryState {
    pub up: bool,
    /// Whether a result has come in yet.
    pub has_run: bool,
    /// Retries spent on the current run of failures.
    pub retry_it: u32,
    /// Failures in a row, whatever the state (for the console).
    pub consecutive_failures: u32,
}

impl RetryState {
    pub fn new(spec: &CheckSpec) -> RetryState {
        RetryState {
            up: !spec.alpha,
            has_run: false,
            retry_it: 0,
            consecutive_failures: 0,
        }
    }

    /// Counts one result; returns the delay until the next check. `self.up` is the new state.
    pub fn step(&mut self, spec: &CheckSpec, ok: bool) -> Duration {
        let mut delay = spec.delay_loop;
        if ok {
            self.consecutive_failures = 0;
        } else {
            self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        }
        if ok || ((self.up || !self.has_run) && self.retry_it >= spec.retry) {
            self.retry_it = 0;
            self.up = ok;
        } else if self.up {
            delay = spec.delay_before_retry;
            self.retry_it += 1;
        }
        self.has_run = true;
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(retry: u32, alpha: bool) -> CheckSpec {
        CheckSpec {
            name: "TCP_CHECK",
            retry,
            delay_before_retry: Duration::from_secs(1),
            delay_loop: Duration::from_secs(6),
            warmup: Duration::ZERO,
            alpha,
        }
    }

    #[test]
    fn down_after_the_retries_then_up_after_one_success() {
        let s = spec(2, false);
        let mut r = RetryState::new(&s);
        assert_eq!(r.step(&s, true), Duration::from_secs(6));
        assert_eq!(r.step(&s, false), Duration::from_secs(1));
        assert!(r.up);
        assert_eq!(r.step(&s, false), Duration::from_secs(1));
        assert!(r.up);
        assert_eq!(r.step(&s, false), Duration::from_secs(6));
        assert!(!r.up);
        assert_eq!(r.consecutive_failures, 3);
        // Further failures while down: no retry spacing.
        assert_eq!(r.step(&s, false), Duration::from_secs(6));
        assert!(!r.up);
        r.step(&s, true);
        assert!(r.up);
        assert_eq!((r.retry_it, r.consecutive_failures), (0, 0));
    }

    #[test]
    fn a_success_between_failures_resets_the_count() {
        let s = spec(1, false);
        let mut r = RetryState::new(&s);
        r.step(&s, false);
        r.step(&s, true);
        r.step(&s, false);
        assert!(r.up, "one failure after a success is only a retry");
        r.step(&s, false);
        assert!(!r.up);
    }

    #[test]
    fn retry_zero_goes_down_at_the_first_failure() {
        let s = spec(0, false);
        let mut r = RetryState::new(&s);
        assert_eq!(r.step(&s, false), Duration::from_secs(6));
        assert!(!r.up);
    }

    #[test]
    fn alpha_starts_down_and_a_failure_is_not_retried() {
        let s = spec(3, true);
        let mut r = RetryState::new(&s);
        assert!(!r.up);
        assert_eq!(r.step(&s, false), Duration::from_secs(6));
        assert!(!r.up);
        r.step(&s, true);
        assert!(r.up);
    }
}
