//! The progress bar on stderr: replications done out of all, with the time left. It appears
//! only when a run has taken longer than [`DELAY`] (short runs print nothing extra), only on a
//! terminal, and is cleared when the run ends so the results start on a clean line.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the bar appears.
pub const DELAY: Duration = Duration::from_secs(1);

const TICK: Duration = Duration::from_millis(100);

/// Runs `work`, showing `done` out of `total` replications on stderr while it runs if `show`
/// (`total` may grow while it runs, as with a precision target). `color` picks a coloured bar
/// (only where the caller allows colours).
pub fn with_progress<T>(total: &AtomicU64, done: &AtomicU64, show: bool, color: bool, work: impl FnOnce() -> T) -> T {
    if !show {
        return work();
    }
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| draw(total, done, color, &finished));
        let result = work();
        finished.store(true, Ordering::Release);
        result
    })
}

fn draw(total: &AtomicU64, done: &AtomicU64, color: bool, finished: &AtomicBool) {
    let started = Instant::now();
    while started.elapsed() < DELAY {
        if finished.load(Ordering::Acquire) {
            return;
        }
        std::thread::sleep(TICK);
    }
    let template = if color {
        "{spinner:.green} {elapsed:>4} {wide_bar:.cyan/blue} {pos}/{len} replications, about {eta} left"
    } else {
        "{spinner} {elapsed:>4} {wide_bar} {pos}/{len} replications, about {eta} left"
    };
    let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("█▉▊▋▌▍▎▏ ");
    // Start from where the run is, so the rate (and so the time left) is not skewed by the
    // replications done before the bar appeared.
    let now = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let bar = ProgressBar::with_draw_target(Some(now(total)), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_position(now(done).min(now(total)))
        .with_elapsed(started.elapsed());
    while !finished.load(Ordering::Acquire) {
        let total = now(total);
        bar.set_length(total);
        bar.set_position(now(done).min(total));
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}
