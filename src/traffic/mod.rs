//! Request-level traffic: what users see. A request walks its route through gateways, failovers
//! with retries and timeouts, circuit breakers and balancers ([`walk`]); breakers follow the
//! calls they see ([`breaker`]), and are fast-forwarded through the identical cycles of a long
//! outage ([`cycling`]); [`ledger`] tallies what the requests of each class saw.
//!
//! Two accounting modes share these semantics. The fast mode (the default) multiplies the walk's
//! outcome distribution by the requests expected in each interval of constant state, and draws
//! individual calls only where a breaker's window needs them. The per-request mode draws every
//! request; it is exact and slow, for validating the fast one at low rates.

pub mod breaker;
pub mod cycling;
pub mod ledger;
pub mod walk;
