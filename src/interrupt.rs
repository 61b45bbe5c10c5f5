//! Interruptions: Ctrl-C (SIGINT) and SIGTERM stop a run cleanly.
//!
//! The command line installs the handlers ([`install`]) for the commands that simulate or
//! write outputs. A signal only records itself in a flag; the replication loop
//! (`montecarlo::simulate`), the engine's event loop (every few tens of thousands of events, so
//! a single long replication stops too) and the output writer read it and give up, returning
//! [`Interrupted`]. Nothing partial is written: outputs are staged and moved into place only
//! when complete (see `output`). A second signal while the first is being honoured ends the
//! process at once, with the same exit code.
//!
//! Without [`install`] (the library, the tests) the flag is never set, so nothing here changes
//! what a run does.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The signal that asked to stop (its number), or 0.
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
/// Set with [`SIGNAL`]; a second signal finds it set and ends the process at once.
static ARMED: AtomicBool = AtomicBool::new(false);

/// How often (in events, a power of two) the engine looks at the flag: a relaxed load every
/// 65,536 events costs nothing measurable, and even a slow engine does that many in well under
/// a second.
pub const EVENT_CHECK_MASK: u64 = (1 << 16) - 1;

/// Installs the SIGINT and SIGTERM handlers. Failing to install them is not fatal: the run
/// then stops at a signal the default way (at once, without cleaning up).
pub fn install() -> Result<(), String> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        for sig in [SIGINT, SIGTERM] {
            // The shutdown must be registered before the flag is armed, so that the first
            // signal only arms it and the second one ends the process.
            signal_hook::flag::register_conditional_shutdown(sig, exit_code_of(sig as usize), &ARMED).map_err(|e| e.to_string())?;
            signal_hook::flag::register(sig, &ARMED).map_err(|e| e.to_string())?;
            signal_hook::flag::register_usize(sig, &SIGNAL, sig as usize).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Whether a signal asked the run to stop.
#[inline]
pub fn requested() -> bool {
    SIGNAL.load(Ordering::Relaxed) != 0
}

/// The signal that asked to stop, if one did.
pub fn signal() -> Option<Signal> {
    match SIGNAL.load(Ordering::Relaxed) {
        0 => None,
        n => Some(Signal(n)),
    }
}

/// `Err(Interrupted)` when a signal asked the run to stop.
pub fn check() -> Result<(), Interrupted> {
    if requested() { Err(Interrupted) } else { Ok(()) }
}

/// A signal by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signal(usize);

impl Signal {
    /// Its conventional name.
    pub fn name(self) -> &'static str {
        match self.0 {
            2 => "SIGINT (Ctrl-C)",
            15 => "SIGTERM",
            _ => "a signal",
        }
    }

    /// The exit code a shell gives a process killed by it: 128 + its number (130 for SIGINT,
    /// 143 for SIGTERM).
    pub fn exit_code(self) -> i32 {
        exit_code_of(self.0)
    }
}

fn exit_code_of(signal: usize) -> i32 {
    128 + signal as i32
}

/// The error a loop returns when it stopped because of a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// Whether `e` (or what caused it) is an [`Interrupted`].
pub fn is_interrupted(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<Interrupted>().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(Signal(2).exit_code(), 130);
        assert_eq!(Signal(15).exit_code(), 143);
        assert!(is_interrupted(&anyhow::Error::new(Interrupted).context("simulating")));
        assert!(!is_interrupted(&anyhow::anyhow!("disk full")));
    }
}
