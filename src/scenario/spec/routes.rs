//! `[routes.NAME]`: the five forms (all, any, k_of_n, failover, balance), a failover's keys and
//! its circuit breaker.

use crate::diagnostic::Origin;
use crate::scenario::reader::{self, join, Ctx, Table};
use crate::scenario::spec::Name;
use crate::scenario::tree::Node;

/// How a route combines its members.
#[derive(Clone, Debug)]
pub enum RouteForm {
    /// Every member (series).
    All,
    /// Any member (ideal parallel).
    Any,
    /// At least `need` members.
    KOfN {
        /// Members needed.
        need: u32,
        /// Where `need` was written.
        need_origin: Origin,
    },
    /// Ordered failover.
    Failover(Failover),
    /// Weighted balancing.
    Balance(BalanceSpec),
}

/// Failover parameters.
#[derive(Clone, Debug)]
pub struct Failover {
    /// Time the route is down after the serving member fails, before the next takes over.
    pub switchover: f64,
    /// Probability a switch-over works.
    pub switch_success: f64,
    /// Return to an earlier member when it is repaired.
    pub failback: bool,
    /// Cold standby: members (components) that are not serving do not fail.
    pub cold: bool,
    /// Extra attempts per request on the next members.
    pub retries: u32,
    /// Time one attempt may take (what a hanging member costs); `None`: LiteLLM's default.
    pub timeout: Option<f64>,
    /// Circuit breaker on each member.
    pub breaker: Option<Breaker>,
}

/// LiteLLM's default request timeout, used for an attempt when a failover gives none.
pub const DEFAULT_ATTEMPT_TIMEOUT: f64 = 6000.0;

impl Failover {
    /// The time one attempt may take.
    pub fn attempt_timeout(&self) -> f64 {
        self.timeout.unwrap_or(DEFAULT_ATTEMPT_TIMEOUT)
    }

    /// Whether each request fails over by itself (retries, timeouts, breakers) rather than the
    /// route moving all requests (switchover, switch_success, failback, standby).
    pub fn request_level(&self) -> bool {
        self.retries > 0 || self.timeout.is_some() || self.breaker.is_some()
    }
}

/// A circuit breaker (Resilience4j semantics, time-based sliding window).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breaker {
    /// Length of the sliding window (seconds).
    pub window: f64,
    /// Calls the window must hold before the failure rate counts.
    pub min_calls: u32,
    /// Failure rate at or above which the breaker opens.
    pub threshold: f64,
    /// How long it stays open (seconds).
    pub open_for: f64,
    /// Trial calls let through when half open.
    pub half_open_calls: u32,
}

/// The keys of a balance route.
#[derive(Clone, Debug)]
pub struct BalanceSpec {
    /// Weights (same order as the members), if given.
    pub weights: Option<Vec<f64>>,
    /// Where `weights` was written.
    pub weights_origin: Option<Origin>,
    /// Time for an unhealthy member to be taken out of rotation (seconds).
    pub health_check: f64,
}

/// `[routes.NAME]`.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    /// The route's name.
    pub name: Name,
    /// How members combine.
    pub form: RouteForm,
    /// Members: component or route names.
    pub members: Vec<Name>,
}

const ROUTE_FORMS: &[&str] = &["all", "any", "k_of_n", "failover", "balance"];
const FAILOVER_KEYS: &[&str] = &["switchover", "switch_success", "failback", "standby", "retries", "timeout", "breaker"];
const BALANCE_KEYS: &[&str] = &["weights", "health_check"];
const BREAKER_KEYS: &[&str] = &["window", "min_calls", "threshold", "open_for", "half_open_calls"];

pub(super) fn read_route(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<RouteSpec> {
    let t = Table::of(ctx, node, path, "write a table such as failover = [\"a\", \"b\"]")?;
    let mut known: Vec<&str> = ROUTE_FORMS.to_vec();
    known.extend_from_slice(FAILOVER_KEYS);
    known.extend_from_slice(BALANCE_KEYS);
    t.check_keys(ctx, &known, &[]);
    let forms: Vec<&str> = ROUTE_FORMS.iter().copied().filter(|f| t.get(f).is_some()).collect();
    let member_example = "write a list of component or route names, for example [\"anthropic-api\", \"openai-api\"]";
    let form_name = match forms.as_slice() {
        [one] => *one,
        [] => {
            ctx.error(&node.origin, format!("{path}: a route needs one of all, any, k_of_n, failover, balance"), "write for example failover = [\"anthropic-api\", \"openai-api\"]");
            return None;
        }
        [_, second, ..] => {
            let origin = t.get(second).map(|n| n.origin.clone()).unwrap_or_else(|| node.origin.clone());
            ctx.error(&origin, format!("{path}: a route has exactly one of all, any, k_of_n, failover, balance; found {}", forms.join(" and ")), "split it into two routes and name one inside the other");
            return None;
        }
    };
    let form_node = t.get(form_name)?;
    for (form, keys) in [("failover", FAILOVER_KEYS), ("balance", BALANCE_KEYS)] {
        if form_name != form {
            for key in keys {
                if let Some(n) = t.get(key) {
                    ctx.error(&n.origin, format!("{}: only {form} routes have `{key}`", join(path, key)), format!("remove `{key}`, or make the route a {form}"));
                }
            }
        }
    }
    let (form, members_node) = match form_name {
        "all" => (RouteForm::All, form_node),
        "any" => (RouteForm::Any, form_node),
        "k_of_n" => {
            let kt = Table::of(ctx, form_node, path, "write k_of_n = { need = 2, of = [\"a\", \"b\", \"c\"] }")?;
            kt.check_keys(ctx, &["need", "of"], &[]);
            let need_node = kt.required(ctx, "need", "need = 2")?;
            let of = kt.required(ctx, "of", "of = [\"a\", \"b\", \"c\"]")?;
            let need = reader::integer(ctx, need_node, &join(path, "k_of_n.need"), 1, 1_000_000, "write how many members must be up, for example need = 2")? as u32;
            (RouteForm::KOfN { need, need_origin: need_node.origin.clone() }, of)
        }
        "failover" => {
            let switchover = match t.get("switchover") {
                Some(n) => reader::duration(ctx, n, &join(path, "switchover"))?,
                None => 0.0,
            };
            let switch_success = match t.get("switch_success") {
                Some(n) => reader::probability(ctx, n, &join(path, "switch_success"))?,
                None => 1.0,
            };
            let failback = match t.get("failback") {
                Some(n) => reader::boolean(ctx, n, &join(path, "failback"))?,
                None => true,
            };
            let cold = match t.get("standby") {
                Some(n) => reader::word(ctx, n, &join(path, "standby"), &["hot", "cold"])? == "cold",
                None => false,
            };
            let retries = match t.get("retries") {
                Some(n) => reader::integer(ctx, n, &join(path, "retries"), 0, 100, "write how many extra attempts a request may make, for example retries = 2")? as u32,
                None => 0,
            };
            let timeout = match t.get("timeout") {
                Some(n) => Some(reader::positive_duration(ctx, n, &join(path, "timeout"), "write for example timeout = \"20s\"")?),
                None => None,
            };
            let breaker = match t.get("breaker") {
                Some(n) => Some(read_breaker(ctx, n, &join(path, "breaker"))?),
                None => None,
            };
            // Two styles of failover: the route moves all requests (switchover, switch_success,
            // failback, standby), or each request moves on by itself (retries, timeout, breaker).
            let request_keys: Vec<&str> = ["retries", "timeout", "breaker"].into_iter().filter(|k| t.get(k).is_some()).collect();
            if let Some(first) = request_keys.first() {
                for key in ["switchover", "switch_success", "failback", "standby"] {
                    if let Some(n) = t.get(key) {
                        ctx.error(
                            &n.origin,
                            format!(
                                "{}: `{key}` belongs to a route-level failover, and `{first}` makes this one request-level (each request tries the members in order, skipping open breakers, retrying on the next)",
                                join(path, key)
                            ),
                            format!("remove `{key}`, or remove {} for a route-level failover", request_keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" and ")),
                        );
                    }
                }
                if retries == 0 && breaker.is_none() {
                    if let Some(n) = t.get("timeout") {
                        ctx.warning(
                            &n.origin,
                            format!("{path}: with retries = 0 and no breaker, requests only ever try the first member"),
                            "add retries = 1 (or more) or a breaker, so requests can reach the other members",
                        );
                    }
                }
            }
            (RouteForm::Failover(Failover { switchover, switch_success, failback, cold, retries, timeout, breaker }), form_node)
        }
        "balance" => {
            let (weights, weights_origin) = match t.get("weights") {
                Some(n) => {
                    let items = reader::array(ctx, n, &join(path, "weights"), "write one positive weight per member, for example weights = [3, 1]")?;
                    let mut w = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        w.push(reader::positive(ctx, item, &format!("{}[{i}]", join(path, "weights")), "write a positive weight such as 1")?);
                    }
                    (Some(w), Some(n.origin.clone()))
                }
                None => (None, None),
            };
            let health_check = match t.get("health_check") {
                Some(n) => reader::duration(ctx, n, &join(path, "health_check"))?,
                None => 0.0,
            };
            (RouteForm::Balance(BalanceSpec { weights, weights_origin, health_check }), form_node)
        }
        _ => return None,
    };
    let members: Vec<Name> = reader::names(ctx, members_node, &join(path, form_name), member_example)?
        .into_iter()
        .map(|(s, o)| Name::new(s, o))
        .collect();
    if members.is_empty() {
        ctx.error(&members_node.origin, format!("{}: a route needs at least one member", join(path, form_name)), member_example);
        return None;
    }
    if let RouteForm::Balance(BalanceSpec { weights: Some(w), weights_origin: Some(o), .. }) = &form {
        if w.len() != members.len() {
            ctx.error(o, format!("{}: {} weights for {} members", join(path, "weights"), w.len(), members.len()), "give one weight per member, in the same order");
            return None;
        }
    }
    Some(RouteSpec { name: name.clone(), form, members })
}

/// Reads a circuit breaker; keys not given take Resilience4j's defaults (a 100 s window, 100
/// calls, 50 %, open for 60 s, 10 trial calls).
fn read_breaker(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Breaker> {
    let example = "write breaker = { window = \"60s\", min_calls = 20, threshold = 0.5, open_for = \"30s\", half_open_calls = 5 }";
    let t = Table::of(ctx, node, path, example)?;
    t.check_keys(ctx, BREAKER_KEYS, &[]);
    let positive_duration = |ctx: &mut Ctx, key: &str, default: f64| -> Option<f64> {
        match t.get(key) {
            Some(n) => reader::positive_duration(ctx, n, &join(path, key), example),
            None => Some(default),
        }
    };
    let window = positive_duration(ctx, "window", 100.0).and_then(|w| {
        // Resilience4j's time-based window is a whole number of one-second buckets.
        if w.fract() != 0.0 || w > 86_400.0 {
            if let Some(n) = t.get("window") {
                let help = format!("write a whole number of seconds up to a day, for example window = \"{}s\"", w.ceil().clamp(1.0, 86_400.0));
                ctx.error(&n.origin, format!("{}: a breaker's window counts whole seconds (one-second buckets, as in Resilience4j)", join(path, "window")), &help);
            }
            return None;
        }
        Some(w)
    });
    let open_for = positive_duration(ctx, "open_for", 60.0);
    let min_calls = match t.get("min_calls") {
        Some(n) => reader::integer(ctx, n, &join(path, "min_calls"), 1, 1_000_000, "write how many calls the window needs, for example min_calls = 20").map(|v| v as u32),
        None => Some(100),
    };
    let half_open_calls = match t.get("half_open_calls") {
        Some(n) => reader::integer(ctx, n, &join(path, "half_open_calls"), 1, 10_000, "write how many trial calls, for example half_open_calls = 5").map(|v| v as u32),
        None => Some(10),
    };
    let threshold = match t.get("threshold") {
        Some(n) => {
            let v = reader::probability(ctx, n, &join(path, "threshold"))?;
            if v <= 0.0 {
                ctx.error(&n.origin, format!("{}: must be above zero", join(path, "threshold")), "write a failure rate such as 0.5");
                return None;
            }
            Some(v)
        }
        None => Some(0.5),
    };
    Some(Breaker { window: window?, min_calls: min_calls?, threshold: threshold?, open_for: open_for?, half_open_calls: half_open_calls? })
}
