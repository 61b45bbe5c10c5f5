//! Fuzz target: any UTF-8 text as a scenario file, through the reader, the compiler, the
//! analytic engine and (when it loads and is small) two short replications and every exporter.
//! A panic, or a number that is not finite in an output, is a finding. The checks are the
//! mutation test's (`tests/common/exercise.rs`, included here by path).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/exercise.rs"]
#[allow(dead_code)]
mod exercise;

fuzz_target!(|data: &[u8]| {
    // The file reader turns bytes that are not UTF-8 into a located error before any parsing
    // (tested in the catalogue); everything after it takes text.
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(why) = exercise::exercise(text) {
        panic!("{why}");
    }
});
