//! The scenario as the user wrote it, typed and range-checked but with names not yet resolved:
//! one struct per table of SCENARIO.md. Cross-references (a `requires` naming a component, an
//! architecture naming a route) are resolved by `model::compile`.

use crate::diagnostic::Origin;
use crate::model::{Breaker, Deploys, Effect, Process, Surges};
use crate::scenario::cost;
use crate::scenario::dist::{self as dist_reader, Role};
use crate::scenario::reader::{self, join, Ctx, Later, Table};
use crate::scenario::tree::{Node, Value};

/// A name as written, with where it was written.
#[derive(Clone, Debug)]
pub struct Name {
    /// The name.
    pub text: String,
    /// Its place in the source.
    pub origin: Origin,
}

impl Name {
    fn new(text: &str, origin: &Origin) -> Self {
        Name { text: text.to_string(), origin: origin.clone() }
    }
}

/// `[simulation]`.
#[derive(Clone, Debug)]
pub struct SimulationSpec {
    /// Simulated time per replication (seconds).
    pub horizon: f64,
    /// Replications per architecture.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Level of every interval.
    pub confidence: f64,
    /// Outages shorter than this are blips (seconds).
    pub min_outage: f64,
}

/// `[components.NAME]`.
#[derive(Clone, Debug)]
pub struct ComponentSpec {
    /// The component's name.
    pub name: Name,
    /// Free-form label for reports.
    pub kind: Option<String>,
    /// How units fail: one process from failure/repair/detect, or one per mode.
    pub processes: Vec<Process>,
    /// Requests per second one unit can serve.
    pub capacity: Option<f64>,
    /// Calls hang when it is down.
    pub hang: bool,
    /// Where `fails = "hang"` was written.
    pub hang_origin: Option<Origin>,
    /// Deploys that can go wrong.
    pub deploys: Option<Deploys>,
    /// Container whose outage takes this component down.
    pub within: Option<Name>,
    /// Components this one needs.
    pub requires: Vec<Name>,
    /// Units in the pool.
    pub count: u32,
    /// Units that must be up.
    pub need: u32,
    /// Crew that repairs it.
    pub crew: Option<Name>,
    /// How long it keeps working after a `requires` goes down (seconds).
    pub grace: f64,
    /// Where `grace` was written, if it was.
    pub grace_origin: Option<Origin>,
    /// Running cost and price per request.
    pub costs: cost::ComponentCosts,
}

/// `[crews.NAME]`.
#[derive(Clone, Debug)]
pub struct CrewSpec {
    /// The crew's name.
    pub name: Name,
    /// Repairs at once.
    pub size: u32,
}

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
    Failover(FailoverSpec),
    /// Weighted balancing.
    Balance(BalanceSpec),
}

/// The keys of a failover route.
#[derive(Clone, Debug)]
pub struct FailoverSpec {
    /// Time requests fail after the serving member goes down (seconds).
    pub switchover: f64,
    /// Probability a switch-over works.
    pub switch_success: f64,
    /// Whether to return to an earlier member when it is repaired.
    pub failback: bool,
    /// Cold standby: members that are not serving do not fail.
    pub cold: bool,
    /// Where `standby` was written, if it was.
    pub standby_origin: Option<Origin>,
    /// Extra attempts per request.
    pub retries: u32,
    /// Per-attempt timeout (seconds).
    pub timeout: Option<f64>,
    /// Circuit breaker on each member.
    pub breaker: Option<Breaker>,
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

/// `[traffic.CLASS]`.
#[derive(Clone, Debug)]
pub struct ClassSpec {
    /// The class's name.
    pub name: Name,
    /// Mean requests per second.
    pub rate: f64,
    /// Hour-of-day multipliers (mean 1), if given.
    pub profile: Option<[f64; 24]>,
    /// Money lost per hour down.
    pub cost_per_hour_down: f64,
    /// The caller's deadline (seconds).
    pub timeout: Option<f64>,
    /// Money lost per failed request.
    pub cost_per_failed_request: f64,
    /// Demand surges.
    pub surges: Option<Surges>,
}

/// `[architectures.NAME]`.
#[derive(Clone, Debug)]
pub struct ArchitectureSpec {
    /// The architecture's name.
    pub name: Name,
    /// Description for reports.
    pub description: Option<String>,
    /// One route per class: the class name and the members (read as `all`).
    pub routes: Vec<(Name, Vec<Name>)>,
    /// Its own running cost per year (licences, an on-call rota), if given.
    pub running_cost: Option<cost::Money>,
}

/// SLA period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// A twelfth of a year (730 h).
    Month,
    /// A year (8760 h).
    Year,
}

/// `[sla]`.
#[derive(Clone, Debug)]
pub struct SlaSpec {
    /// Availability target.
    pub target: f64,
    /// Period over which availability is measured.
    pub period: Period,
    /// Fee per period.
    pub fee: f64,
    /// Credit tiers: (below, credit fraction).
    pub credits: Vec<(f64, f64)>,
    /// Class measured; `None` = all classes weighted by rate.
    pub class: Option<Name>,
    /// Where `[sla]` was written.
    pub origin: Origin,
}

/// One `[[slo]]` entry.
#[derive(Clone, Debug)]
pub struct SloSpec {
    /// Architecture checked.
    pub architecture: Name,
    /// Class checked (`None`: the architecture-level metric).
    pub class: Option<Name>,
    /// Metric name.
    pub metric: Name,
    /// Lower bound on the interval's low end.
    pub min: Option<f64>,
    /// Upper bound on the interval's high end.
    pub max: Option<f64>,
    /// Where `min` was written (for errors about the bounds).
    pub min_origin: Option<Origin>,
    /// Where `max` was written.
    pub max_origin: Option<Origin>,
}

/// A whole scenario file, read.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Optional `name` (relsim extension; the file stem otherwise).
    pub name: Option<String>,
    /// Optional `description` (relsim extension).
    pub description: Option<String>,
    /// `[simulation]`.
    pub simulation: SimulationSpec,
    /// Where `[simulation]` was written (for errors about its values).
    pub simulation_origin: Origin,
    /// `[components.*]` in source order.
    pub components: Vec<ComponentSpec>,
    /// `[crews.*]`.
    pub crews: Vec<CrewSpec>,
    /// `[routes.*]`.
    pub routes: Vec<RouteSpec>,
    /// `[traffic.*]`.
    pub classes: Vec<ClassSpec>,
    /// `[architectures.*]`.
    pub architectures: Vec<ArchitectureSpec>,
    /// `[sla]`.
    pub sla: Option<SlaSpec>,
    /// `[[slo]]`.
    pub slos: Vec<SloSpec>,
}

const TOP_KEYS: &[&str] =
    &["name", "description", "simulation", "components", "crews", "routes", "traffic", "architectures", "sla", "slo"];
const TOP_LATER: &[Later] = &[];

const SIM_KEYS: &[&str] = &["horizon", "replications", "seed", "confidence", "min_outage"];

const COMPONENT_KEYS: &[&str] = &[
    "kind", "failure", "repair", "detect", "within", "requires", "count", "need", "crew", "grace", "fails", "capacity", "modes", "deploys",
    "running_cost", "cost_per_request",
];
const MODE_KEYS: &[&str] = &["failure", "repair", "detect", "effect", "capacity_left", "fraction"];
const DEPLOY_KEYS: &[&str] = &["every", "bad", "effect", "capacity_left", "fraction", "rollback"];

const ROUTE_FORMS: &[&str] = &["all", "any", "k_of_n", "failover", "balance"];
const FAILOVER_KEYS: &[&str] = &["switchover", "switch_success", "failback", "standby", "retries", "timeout", "breaker"];
const BALANCE_KEYS: &[&str] = &["weights", "health_check"];
const BREAKER_KEYS: &[&str] = &["window", "min_calls", "threshold", "open_for", "half_open_calls"];

const CLASS_KEYS: &[&str] = &["rate", "profile", "cost_per_hour_down", "surges", "timeout", "cost_per_failed_request"];
const SURGE_KEYS: &[&str] = &["every", "factor", "duration"];

const SLA_KEYS: &[&str] = &["target", "period", "fee", "credits", "class"];
const SLO_KEYS: &[&str] = &["architecture", "class", "metric", "min", "max"];

/// Reads a whole scenario from its tree. Returns `None` if any error was recorded in `ctx`.
pub fn read(ctx: &mut Ctx, root: &Node) -> Option<Scenario> {
    let top = Table { node: root, path: "" };
    top.check_keys(ctx, TOP_KEYS, TOP_LATER);

    let name = top.get("name").and_then(|n| reader::string(ctx, n, "name", "write name = \"my-scenario\"")).map(str::to_string);
    let description = top
        .get("description")
        .and_then(|n| reader::string(ctx, n, "description", "write description = \"what this scenario compares\""))
        .map(str::to_string);

    let simulation_origin = top.get("simulation").map(|n| n.origin.clone()).unwrap_or_else(|| root.origin.clone());
    let simulation = match top.required(ctx, "simulation", "a [simulation] table with horizon = \"1y\"") {
        Some(n) => read_simulation(ctx, n),
        None => None,
    };
    let components = read_named_tables(ctx, &top, "components", true, read_component);
    let crews = read_named_tables(ctx, &top, "crews", false, read_crew);
    let routes = read_named_tables(ctx, &top, "routes", false, read_route);
    let classes = read_named_tables(ctx, &top, "traffic", true, read_class);
    let architectures = read_named_tables(ctx, &top, "architectures", true, read_architecture);
    let sla = top.get("sla").and_then(|n| read_sla(ctx, n));
    let slos = match top.get("slo") {
        Some(n) => read_slos(ctx, n),
        None => Some(Vec::new()),
    };

    if ctx.diags.has_errors() {
        return None;
    }
    Some(Scenario {
        name,
        description,
        simulation: simulation?,
        simulation_origin,
        components: components?,
        crews: crews?,
        routes: routes?,
        classes: classes?,
        architectures: architectures?,
        sla,
        slos: slos?,
    })
}

type ReadOne<T> = fn(&mut Ctx, &Name, &Node, &str) -> Option<T>;

/// Reads `[section.NAME]` tables with `read_one`; `required` sections must have at least one.
fn read_named_tables<T>(ctx: &mut Ctx, top: &Table<'_>, section: &str, required: bool, read_one: ReadOne<T>) -> Option<Vec<T>> {
    let example = match section {
        "components" => "[components.NAME] tables, for example\n[components.api]\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"lognormal\", median = \"45m\", sigma = 1.0 }",
        "traffic" => "a [traffic.CLASS] table, for example\n[traffic.api]\nrate = \"100/s\"",
        "architectures" => "an [architectures.NAME] table, for example\n[architectures.single]\napi = [\"provider\"]",
        _ => "",
    };
    let Some(node) = top.get(section) else {
        if required {
            ctx.error(&top.node.origin, format!("missing [{section}]"), format!("add {example}"));
            return None;
        }
        return Some(Vec::new());
    };
    let table = Table::of(ctx, node, section, &format!("write {example}"))?;
    if required && table.entries().is_empty() {
        ctx.error(&node.origin, format!("[{section}] is empty"), format!("add {example}"));
        return None;
    }
    let mut out = Vec::with_capacity(table.entries().len());
    let mut ok = true;
    for e in table.entries() {
        let name = Name::new(&e.key, &e.key_origin);
        if e.key.trim().is_empty() {
            ctx.error(&e.key_origin, format!("{section}: empty name"), "give it a name such as \"api\"");
            ok = false;
            continue;
        }
        let path = format!("{section}.{}", e.key);
        match read_one(ctx, &name, &e.node, &path) {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_simulation(ctx: &mut Ctx, node: &Node) -> Option<SimulationSpec> {
    let t = Table::of(ctx, node, "simulation", "write [simulation] with horizon = \"1y\"")?;
    t.check_keys(ctx, SIM_KEYS, &[]);
    let horizon = t.required(ctx, "horizon", "horizon = \"1y\"").and_then(|n| crate::scenario::limits::horizon(ctx, n));
    let replications = match t.get("replications") {
        Some(n) => reader::integer(ctx, n, "simulation.replications", 2, u64::MAX as i128, "write at least 2 replications (a confidence interval needs two), for example replications = 1000").map(|v| v as u64),
        None => Some(1000),
    };
    let seed = match t.get("seed") {
        Some(n) => reader::integer(ctx, n, "simulation.seed", 0, u64::MAX as i128, "write a whole number from 0 to 18446744073709551615 (64 bits), for example seed = 7").map(|v| v as u64),
        None => Some(1),
    };
    let confidence = match t.get("confidence") {
        Some(n) => {
            let c = reader::number(ctx, n, "simulation.confidence", "write a level such as 0.95")?;
            if !(c > 0.0 && c < 1.0) {
                ctx.error(&n.origin, format!("simulation.confidence: {c} is not strictly between 0 and 1"), "write a level such as 0.95 or 0.99");
                return None;
            }
            Some(c)
        }
        None => Some(0.95),
    };
    let min_outage = match t.get("min_outage") {
        Some(n) => reader::duration(ctx, n, "simulation.min_outage"),
        None => Some(0.0),
    };
    Some(SimulationSpec { horizon: horizon?, replications: replications?, seed: seed?, confidence: confidence?, min_outage: min_outage? })
}

fn read_component(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<ComponentSpec> {
    let t = Table::of(ctx, node, path, "write a table with failure and repair")?;
    t.check_keys(ctx, COMPONENT_KEYS, &[]);
    let kind = t.get("kind").and_then(|n| reader::string(ctx, n, &join(path, "kind"), "write a label such as kind = \"provider\"")).map(str::to_string);
    let processes = match t.get("modes") {
        Some(modes) => {
            for key in ["failure", "repair", "detect"] {
                if let Some(n) = t.get(key) {
                    ctx.error(
                        &n.origin,
                        format!("{}: give either `{key}` or `modes`, not both", join(path, key)),
                        "with modes, each mode has its own failure, repair and detect",
                    );
                }
            }
            read_modes(ctx, modes, &join(path, "modes"))
        }
        None => {
            let example_f = "failure = { dist = \"exponential\", mean = \"30d\" }";
            let example_r = "repair = { dist = \"lognormal\", median = \"45m\", sigma = 1.0 }";
            let failure = t.required(ctx, "failure", example_f).and_then(|n| dist_reader::read(ctx, n, &join(path, "failure"), Role::Failure));
            let repair = t.required(ctx, "repair", example_r).and_then(|n| dist_reader::read(ctx, n, &join(path, "repair"), Role::Delay));
            let detect = match t.get("detect") {
                Some(n) => dist_reader::read(ctx, n, &join(path, "detect"), Role::Delay).map(Some),
                None => Some(None),
            };
            Some(vec![Process { mode: None, failure: failure?, repair: repair?, detect: detect?, effect: Effect::Down }])
        }
    };
    let within = t
        .get("within")
        .and_then(|n| reader::string(ctx, n, &join(path, "within"), "write the name of a region or zone, for example within = \"aws-us-east-1\"").map(|s| Name::new(s, &n.origin)));
    let requires = match t.get("requires") {
        Some(n) => reader::names(ctx, n, &join(path, "requires"), "write a list of component names, for example requires = [\"auth\"]")
            .map(|v| v.into_iter().map(|(s, o)| Name::new(s, o)).collect()),
        None => Some(Vec::new()),
    };
    let count = match t.get("count") {
        Some(n) => reader::integer(ctx, n, &join(path, "count"), 1, 1_000_000, "write the number of identical units, for example count = 64").map(|v| v as u32),
        None => Some(1),
    };
    let need = match (t.get("need"), count) {
        (Some(n), Some(c)) => {
            let v = reader::integer(ctx, n, &join(path, "need"), 1, i64::MAX as i128, "write how many units must be up, for example need = 48")?;
            if v > c as i128 {
                ctx.error(&n.origin, format!("{}: need = {v} is more than count = {c}", join(path, "need")), format!("write need between 1 and {c}"));
                None
            } else {
                Some(v as u32)
            }
        }
        (None, Some(c)) if c > 1 => {
            let origin = t.get("count").map(|n| n.origin.clone()).unwrap_or_else(|| node.origin.clone());
            ctx.error(
                &origin,
                format!("{path}: count = {c} without need"),
                format!("add need = K: the pool is up while at least K of its {c} units are up (need = {c} if every unit is needed, need = 1 if any will do)"),
            );
            None
        }
        (_, c) => c.map(|_| 1),
    };
    let crew = t
        .get("crew")
        .and_then(|n| reader::string(ctx, n, &join(path, "crew"), "write the name of a [crews.NAME] table, for example crew = \"ops\"").map(|s| Name::new(s, &n.origin)));
    let (grace, grace_origin) = match t.get("grace") {
        Some(n) => (reader::duration(ctx, n, &join(path, "grace")), Some(n.origin.clone())),
        None => (Some(0.0), None),
    };
    let (hang, hang_origin) = match t.get("fails") {
        Some(n) => (reader::word(ctx, n, &join(path, "fails"), &["fast", "hang"]).map(|w| w == "hang"), Some(n.origin.clone())),
        None => (Some(false), None),
    };
    let capacity = match t.get("capacity") {
        Some(n) => read_capacity(ctx, n, &join(path, "capacity")).map(Some),
        None => Some(None),
    };
    let deploys = match t.get("deploys") {
        Some(n) => read_deploys(ctx, n, &join(path, "deploys")).map(Some),
        None => Some(None),
    };
    let costs = cost::read_component(ctx, &t, path);
    if let (Some(o), Some(r)) = (&grace_origin, &requires) {
        if r.is_empty() && grace.is_some_and(|g| g > 0.0) {
            ctx.warning(o, format!("{}: has no effect because {path} has no `requires`", join(path, "grace")), "grace is how long the component keeps working after one of its requires goes down");
        }
    }
    Some(ComponentSpec {
        name: name.clone(),
        kind,
        processes: processes?,
        capacity: capacity?,
        hang: hang?,
        hang_origin: hang_origin.filter(|_| hang == Some(true)),
        deploys: deploys?,
        within,
        requires: requires?,
        count: count?,
        need: need?,
        crew,
        grace: grace?,
        grace_origin,
        costs,
    })
}

/// Reads a per-unit capacity: a plain number of requests per second, or a rate.
fn read_capacity(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    let v = match &node.value {
        Value::String(_) => reader::rate(ctx, node, path)?,
        _ => reader::number(ctx, node, path, "write requests per second per unit, for example capacity = 50 or capacity = \"3000/min\"")?,
    };
    // A capacity of zero serves nothing: the component would be down from the start, for good.
    if v <= 0.0 {
        ctx.error(
            &node.origin,
            format!("{path}: must be above zero (a unit that serves no requests is never up)"),
            "write requests per second per unit, for example capacity = 50, or remove capacity for unlimited",
        );
        return None;
    }
    Some(v)
}

/// Reads `effect` with its `capacity_left` or `fraction` from a mode or deploys table.
fn read_effect(ctx: &mut Ctx, t: &Table<'_>, path: &str) -> Option<Effect> {
    let effect = match t.get("effect") {
        Some(n) => reader::word(ctx, n, &join(path, "effect"), &["down", "degraded", "silent"])?,
        None => "down",
    };
    let (needs, other) = match effect {
        "degraded" => (Some("capacity_left"), "fraction"),
        "silent" => (Some("fraction"), "capacity_left"),
        _ => (None, ""),
    };
    for key in ["capacity_left", "fraction"] {
        if let Some(n) = t.get(key) {
            if needs != Some(key) {
                ctx.error(
                    &n.origin,
                    format!("{}: only applies to effect = \"{}\"", join(path, key), if key == "capacity_left" { "degraded" } else { "silent" }),
                    format!("remove `{key}`, or change `effect`"),
                );
            }
        }
    }
    let _ = other;
    match needs {
        None => Some(Effect::Down),
        Some(key) => {
            let example = if key == "capacity_left" { "capacity_left = 0.5" } else { "fraction = 0.2" };
            let n = t.required(ctx, key, example)?;
            let v = reader::probability(ctx, n, &join(path, key))?;
            Some(if key == "capacity_left" { Effect::Degraded { capacity_left: v } } else { Effect::Silent { fraction: v } })
        }
    }
}

fn read_modes(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Vec<Process>> {
    let example = "write [components.NAME.modes.MODE] tables with failure, repair and effect";
    let t = Table::of(ctx, node, path, example)?;
    if t.entries().is_empty() {
        ctx.error(&node.origin, format!("{path}: no modes"), example);
        return None;
    }
    let mut out = Vec::with_capacity(t.entries().len());
    let mut ok = true;
    for e in t.entries() {
        let mpath = join(path, &e.key);
        let Some(mt) = Table::of(ctx, &e.node, &mpath, "write failure, repair and effect") else {
            ok = false;
            continue;
        };
        mt.check_keys(ctx, MODE_KEYS, &[]);
        let failure = mt.required(ctx, "failure", "failure = { dist = \"exponential\", mean = \"30d\" }").and_then(|n| dist_reader::read(ctx, n, &join(&mpath, "failure"), Role::Failure));
        let repair = mt.required(ctx, "repair", "repair = \"1h\"").and_then(|n| dist_reader::read(ctx, n, &join(&mpath, "repair"), Role::Delay));
        let detect = match mt.get("detect") {
            Some(n) => dist_reader::read(ctx, n, &join(&mpath, "detect"), Role::Delay).map(Some),
            None => Some(None),
        };
        let effect = read_effect(ctx, &mt, &mpath);
        match (failure, repair, detect, effect) {
            (Some(failure), Some(repair), Some(detect), Some(effect)) => out.push(Process { mode: Some(e.key.clone()), failure, repair, detect, effect }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_deploys(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Deploys> {
    let example = "write deploys = { every = \"7d\", bad = 0.05, effect = \"down\", rollback = \"30m\" }";
    let t = Table::of(ctx, node, path, example)?;
    t.check_keys(ctx, DEPLOY_KEYS, &[]);
    let every = t.required(ctx, "every", "every = \"7d\"").and_then(|n| dist_reader::read(ctx, n, &join(path, "every"), Role::Every("deploy")));
    let bad = t.required(ctx, "bad", "bad = 0.05").and_then(|n| reader::probability(ctx, n, &join(path, "bad")));
    let rollback = t.required(ctx, "rollback", "rollback = \"30m\"").and_then(|n| dist_reader::read(ctx, n, &join(path, "rollback"), Role::Delay));
    let effect = read_effect(ctx, &t, path);
    Some(Deploys { every: every?, bad: bad?, effect: effect?, rollback: rollback? })
}

fn read_crew(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<CrewSpec> {
    let t = Table::of(ctx, node, path, "write a table with size = 1")?;
    t.check_keys(ctx, &["size"], &[]);
    let size = match t.get("size") {
        Some(n) => reader::integer(ctx, n, &join(path, "size"), 1, 1_000_000, "write how many repairs the crew can do at once, for example size = 2")? as u32,
        None => 1,
    };
    Some(CrewSpec { name: name.clone(), size })
}

fn read_route(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<RouteSpec> {
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
            let (cold, standby_origin) = match t.get("standby") {
                Some(n) => (reader::word(ctx, n, &join(path, "standby"), &["hot", "cold"])? == "cold", Some(n.origin.clone())),
                None => (false, None),
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
            (RouteForm::Failover(FailoverSpec { switchover, switch_success, failback, cold, standby_origin, retries, timeout, breaker }), form_node)
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

fn read_surges(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Surges> {
    let example = "write surges = { every = \"30d\", factor = 3.0, duration = \"2h\" }";
    let t = Table::of(ctx, node, path, example)?;
    t.check_keys(ctx, SURGE_KEYS, &[]);
    let every = t.required(ctx, "every", "every = \"30d\"").and_then(|n| dist_reader::read(ctx, n, &join(path, "every"), Role::Every("surge")));
    let duration = t.required(ctx, "duration", "duration = \"2h\"").and_then(|n| dist_reader::read(ctx, n, &join(path, "duration"), Role::Delay));
    let factor = t.required(ctx, "factor", "factor = 3.0").and_then(|n| reader::number_in(ctx, n, &join(path, "factor"), 0.0, 1e6, "write the rate multiplier during a surge, for example factor = 3.0"));
    Some(Surges { every: every?, factor: factor?, duration: duration? })
}

fn read_class(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<ClassSpec> {
    let t = Table::of(ctx, node, path, "write a table with rate = \"100/s\"")?;
    t.check_keys(ctx, CLASS_KEYS, &[]);
    let rate = t.required(ctx, "rate", "rate = \"100/s\"").and_then(|n| {
        let r = reader::rate(ctx, n, &join(path, "rate"))?;
        if r <= 0.0 {
            ctx.error(&n.origin, format!("{}: must be above zero", join(path, "rate")), "write for example rate = \"100/s\"");
            return None;
        }
        crate::scenario::limits::rate(ctx, n, &join(path, "rate"), r)
    });
    let profile = match t.get("profile") {
        Some(n) => Some(read_profile(ctx, n, &join(path, "profile"))?),
        None => None,
    };
    let cost = match t.get("cost_per_hour_down") {
        Some(n) => reader::number_in(ctx, n, &join(path, "cost_per_hour_down"), 0.0, crate::scenario::limits::MAX_MONEY, "write money per hour down as a plain number, for example cost_per_hour_down = 50000")?,
        None => 0.0,
    };
    let cost_per_failed_request = match t.get("cost_per_failed_request") {
        Some(n) => reader::number_in(ctx, n, &join(path, "cost_per_failed_request"), 0.0, crate::scenario::limits::MAX_MONEY, "write money per failed request as a plain number, for example cost_per_failed_request = 0.02")?,
        None => 0.0,
    };
    let timeout = match t.get("timeout") {
        Some(n) => Some(reader::positive_duration(ctx, n, &join(path, "timeout"), "write for example timeout = \"60s\"")?),
        None => None,
    };
    let surges = match t.get("surges") {
        Some(n) => Some(read_surges(ctx, n, &join(path, "surges"))?),
        None => None,
    };
    Some(ClassSpec { name: name.clone(), rate: rate?, profile, cost_per_hour_down: cost, timeout, cost_per_failed_request, surges })
}

/// Reads 24 hour-of-day multipliers. They must average 1 (within 1 %, then normalised exactly),
/// because `rate` is the mean rate.
fn read_profile(ctx: &mut Ctx, node: &Node, path: &str) -> Option<[f64; 24]> {
    let example = "write 24 multipliers, one per hour of the day starting at midnight, averaging 1";
    let items = reader::array(ctx, node, path, example)?;
    if items.len() != 24 {
        ctx.error(&node.origin, format!("{path}: has {} values, expected 24", items.len()), example);
        return None;
    }
    let mut out = [0.0; 24];
    for (i, item) in items.iter().enumerate() {
        out[i] = reader::number_in(ctx, item, &format!("{path}[{i}]"), 0.0, f64::MAX, "write a non-negative multiplier such as 1.2")?;
    }
    let mean = out.iter().sum::<f64>() / 24.0;
    if (mean - 1.0).abs() > 0.01 {
        ctx.error(
            &node.origin,
            format!("{path}: the multipliers average {mean:.4}, not 1 (`rate` is the mean rate over the day)"),
            format!("divide every value by {mean:.4}"),
        );
        return None;
    }
    for v in out.iter_mut() {
        *v /= mean;
    }
    Some(out)
}

fn read_architecture(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<ArchitectureSpec> {
    let t = Table::of(ctx, node, path, "write a table with one route per traffic class, for example api = [\"provider\"]")?;
    let mut description = None;
    let mut routes = Vec::new();
    let mut running_cost = None;
    let mut ok = true;
    for e in t.entries() {
        if e.key == "description" {
            description = reader::string(ctx, &e.node, &join(path, "description"), "write description = \"...\"").map(str::to_string);
            continue;
        }
        if e.key == "running_cost" {
            running_cost = cost::running_cost(ctx, &e.node, &join(path, "running_cost"));
            continue;
        }
        match reader::names(ctx, &e.node, &join(path, &e.key), "write the route as a list of component or route names, for example [\"gateway\", \"llm\"]") {
            Some(members) if members.is_empty() => {
                ctx.error(&e.node.origin, format!("{}: empty route", join(path, &e.key)), "name at least one component or route");
                ok = false;
            }
            Some(members) => routes.push((Name::new(&e.key, &e.key_origin), members.into_iter().map(|(s, o)| Name::new(s, o)).collect())),
            None => ok = false,
        }
    }
    ok.then(|| ArchitectureSpec { name: name.clone(), description, routes, running_cost })
}

fn read_sla(ctx: &mut Ctx, node: &Node) -> Option<SlaSpec> {
    let t = Table::of(ctx, node, "sla", "write [sla] with target = 0.999")?;
    t.check_keys(ctx, SLA_KEYS, &[]);
    let target = t.required(ctx, "target", "target = 0.999").and_then(|n| reader::probability(ctx, n, "sla.target"));
    let period = match t.get("period") {
        Some(n) => reader::word(ctx, n, "sla.period", &["month", "year"]).map(|w| if w == "month" { Period::Month } else { Period::Year }),
        None => Some(Period::Month),
    };
    let fee = match t.get("fee") {
        Some(n) => reader::number_in(ctx, n, "sla.fee", 0.0, crate::scenario::limits::MAX_MONEY, "write the fee per period as a plain number, for example fee = 100000"),
        None => Some(0.0),
    };
    let credits = match t.get("credits") {
        Some(n) => read_credits(ctx, n),
        None => Some(Vec::new()),
    };
    let class = t.get("class").and_then(|n| reader::string(ctx, n, "sla.class", "write the name of a traffic class").map(|s| Name::new(s, &n.origin)));
    Some(SlaSpec { target: target?, period: period?, fee: fee?, credits: credits?, class, origin: node.origin.clone() })
}

fn read_credits(ctx: &mut Ctx, node: &Node) -> Option<Vec<(f64, f64)>> {
    let example = "write credits = [{ below = 0.999, credit = 0.10 }, { below = 0.99, credit = 0.25 }]";
    let items = reader::array(ctx, node, "sla.credits", example)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("sla.credits[{i}]");
        let t = Table::of(ctx, item, &path, example)?;
        t.check_keys(ctx, &["below", "credit"], &[]);
        let below = t.required(ctx, "below", "below = 0.999").and_then(|n| reader::probability(ctx, n, &join(&path, "below")));
        let credit = t.required(ctx, "credit", "credit = 0.10").and_then(|n| reader::probability(ctx, n, &join(&path, "credit")));
        out.push((below?, credit?));
    }
    Some(out)
}

fn read_slos(ctx: &mut Ctx, node: &Node) -> Option<Vec<SloSpec>> {
    let example = "write [[slo]] tables: architecture = \"x\", class = \"api\", metric = \"availability\", min = 0.9995";
    let items: &[Node] = match &node.value {
        Value::Array(items) => items,
        other => {
            ctx.error(&node.origin, format!("slo: expected [[slo]] entries, found {}", other.type_name()), example);
            return None;
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("slo[{i}]");
        let t = Table::of(ctx, item, &path, example)?;
        t.check_keys(ctx, SLO_KEYS, &[]);
        let name_at = |ctx: &mut Ctx, key: &str| -> Option<Name> {
            let n = t.get(key)?;
            reader::string(ctx, n, &join(&path, key), example).map(|s| Name::new(s, &n.origin))
        };
        let architecture = t.required(ctx, "architecture", "architecture = \"NAME\"").and_then(|_| name_at(ctx, "architecture"));
        let metric = t.required(ctx, "metric", "metric = \"availability\"").and_then(|_| name_at(ctx, "metric"));
        let class = name_at(ctx, "class");
        let min = t.get("min").and_then(|n| reader::number(ctx, n, &join(&path, "min"), "write a plain number"));
        let max = t.get("max").and_then(|n| reader::number(ctx, n, &join(&path, "max"), "write a plain number"));
        if min.is_none() && max.is_none() && t.get("min").is_none() && t.get("max").is_none() {
            ctx.error(&item.origin, format!("{path}: needs `min` or `max`"), "add min = 0.9995 (the interval's low end must stay above) or max = ... (its high end must stay below)");
        }
        let (min_origin, max_origin) = (t.get("min").map(|n| n.origin.clone()), t.get("max").map(|n| n.origin.clone()));
        if let (Some(lo), Some(hi), Some(at)) = (min, max, &max_origin) {
            if lo > hi {
                ctx.error(at, format!("{path}: max = {hi} is below min = {lo}, so the check can never hold"), "swap them, or keep one bound");
            }
        }
        out.push(SloSpec { architecture: architecture?, class, metric: metric?, min, max, min_origin, max_origin });
    }
    Some(out)
}
