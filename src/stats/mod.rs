//! Statistics: exact accumulators that merge to the same bits in any order, and the estimates
//! with confidence intervals they produce.

pub mod accumulator;
pub mod cost;
pub mod decision;
pub mod distributions;
pub mod estimate;
pub mod exact_sum;
pub mod guards;
pub mod histogram;
pub mod rare;
pub mod replay;
pub mod precision;
pub mod summarize;
pub mod summary;
