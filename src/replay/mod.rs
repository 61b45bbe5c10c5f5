//! `relsim replay`: a scenario's architectures over a recorded incident history.
//!
//! [`command`] holds the arguments and the run (the run pipeline is `relsim run`'s);
//! [`mapping`] matches the incident file's names to the scenario's components. The engine's
//! side is `sim::replay`, the compiled record `model::history`, the report's section
//! `stats::replay` (computed) and `report::replay` (rendered).

pub mod command;
pub mod mapping;

pub use command::{replay, ReplayArgs};
