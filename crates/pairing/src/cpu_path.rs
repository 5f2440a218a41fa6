//! A process-wide switch for an instruction-set path: detected once, and turned off or
//! back on by benchmarks and tests that compare paths. Every path gives the same
//! results, so the switch changes speed, never values.

use std::sync::atomic::{AtomicU8, Ordering};

const UNKNOWN: u8 = 0;
const YES: u8 = 1;
const NO: u8 = 2;

/// The detected answer (or unknown), and whether a caller turned the path off.
pub(crate) struct Switch {
    detect: fn() -> bool,
    detected: AtomicU8,
    disabled: AtomicU8,
}

impl Switch {
    /// `detect` asks the processor (once, on first use).
    pub(crate) const fn new(detect: fn() -> bool) -> Switch {
        Switch {
            detect,
            detected: AtomicU8::new(UNKNOWN),
            disabled: AtomicU8::new(0),
        }
    }

    /// Whether the path runs: `detect` said yes (asked once) and nobody turned it off.
    /// One or two relaxed loads after the first call.
    #[inline]
    pub(crate) fn available(&self) -> bool {
        if self.disabled.load(Ordering::Relaxed) != 0 {
            return false;
        }
        match self.detected.load(Ordering::Relaxed) {
            YES => true,
            NO => false,
            _ => {
                let yes = (self.detect)();
                self.detected
                    .store(if yes { YES } else { NO }, Ordering::Relaxed);
                yes
            }
        }
    }

    /// Whether the processor has the path, whatever [`Switch::set_enabled`] said.
    pub(crate) fn supported(&self) -> bool {
        (self.detect)()
    }

    pub(crate) fn set_enabled(&self, enabled: bool) {
        self.disabled.store(u8::from(!enabled), Ordering::Relaxed);
    }
}
