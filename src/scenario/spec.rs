//! The scenario as the user wrote it, typed and range-checked but with names not yet resolved:
//! one struct per table of SCENARIO.md. Cross-references (a `requires` naming a component, an
//! architecture naming a route) are resolved by `model::compile`.

use crate::diagnostic::Origin;
use crate::model::dist::Dist;
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
    /// Time to failure.
    pub failure: Dist,
    /// Time to repair once repair starts.
    pub repair: Dist,
    /// Time from failure to the start of repair.
    pub detect: Option<Dist>,
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
const TOP_LATER: &[Later] = &[Later { key: "sweep", what: "parameter sweeps come in a later version; use --set for one point" }];

const SIM_KEYS: &[&str] = &["horizon", "replications", "seed", "confidence", "min_outage"];

const COMPONENT_KEYS: &[&str] =
    &["kind", "failure", "repair", "detect", "within", "requires", "count", "need", "crew", "grace", "fails"];
const COMPONENT_LATER: &[Later] = &[
    Later { key: "capacity", what: "per-unit capacity needs request-level traffic, which comes in a later version" },
    Later { key: "modes", what: "several failure modes (down, degraded, silent) come in a later version" },
    Later { key: "deploys", what: "deploys that can go wrong come in a later version" },
];

const ROUTE_FORMS: &[&str] = &["all", "any", "k_of_n", "failover"];
const FAILOVER_KEYS: &[&str] = &["switchover", "switch_success", "failback", "standby"];
const ROUTE_LATER: &[Later] = &[
    Later { key: "balance", what: "weighted balancing with health checks and capacity comes in a later version; `any` is ideal active-active" },
    Later { key: "retries", what: "per-request retries come with request-level traffic in a later version" },
    Later { key: "timeout", what: "per-attempt timeouts come with request-level traffic in a later version" },
    Later { key: "breaker", what: "circuit breakers come with request-level traffic in a later version" },
    Later { key: "weights", what: "`balance` routes come in a later version" },
    Later { key: "health_check", what: "`balance` routes come in a later version" },
];

const CLASS_KEYS: &[&str] = &["rate", "profile", "cost_per_hour_down"];
const CLASS_LATER: &[Later] = &[
    Later { key: "surges", what: "demand surges need request-level traffic, which comes in a later version" },
    Later { key: "timeout", what: "request deadlines need request-level traffic, which comes in a later version" },
    Later { key: "cost_per_failed_request", what: "per-request costs need request-level traffic, which comes in a later version" },
];

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
    let horizon = t.required(ctx, "horizon", "horizon = \"1y\"").and_then(|n| {
        let h = reader::duration(ctx, n, "simulation.horizon")?;
        if h <= 0.0 {
            ctx.error(&n.origin, "simulation.horizon: must be longer than zero", "write horizon = \"1y\"");
            return None;
        }
        Some(h)
    });
    let replications = match t.get("replications") {
        Some(n) => reader::integer(ctx, n, "simulation.replications", 2, i64::MAX, "write at least 2 replications (a confidence interval needs two), for example replications = 1000").map(|v| v as u64),
        None => Some(1000),
    };
    let seed = match t.get("seed") {
        Some(n) => reader::integer(ctx, n, "simulation.seed", 0, i64::MAX, "write a non-negative integer, for example seed = 7").map(|v| v as u64),
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
    t.check_keys(ctx, COMPONENT_KEYS, COMPONENT_LATER);
    let has_modes = t.get("modes").is_some();
    let kind = t.get("kind").and_then(|n| reader::string(ctx, n, &join(path, "kind"), "write a label such as kind = \"provider\"")).map(str::to_string);
    let (failure, repair) = if has_modes {
        // `modes` was already reported as not supported; do not pile up "missing failure" errors.
        (None, None)
    } else {
        let example_f = "failure = { dist = \"exponential\", mean = \"30d\" }";
        let example_r = "repair = { dist = \"lognormal\", median = \"45m\", sigma = 1.0 }";
        (
            t.required(ctx, "failure", example_f).and_then(|n| dist_reader::read(ctx, n, &join(path, "failure"), Role::Failure)),
            t.required(ctx, "repair", example_r).and_then(|n| dist_reader::read(ctx, n, &join(path, "repair"), Role::Delay)),
        )
    };
    let detect = t.get("detect").map(|n| dist_reader::read(ctx, n, &join(path, "detect"), Role::Delay));
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
            let v = reader::integer(ctx, n, &join(path, "need"), 1, i64::MAX, "write how many units must be up, for example need = 48")?;
            if v > c as i64 {
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
    if let Some(n) = t.get("fails") {
        if let Some(w) = reader::word(ctx, n, &join(path, "fails"), &["fast", "hang"]) {
            if w == "hang" {
                ctx.error(
                    &n.origin,
                    format!("{}: \"hang\" is not supported yet (a hanging member costs the caller's timeout; that needs request-level traffic, which comes in a later version)", join(path, "fails")),
                    "remove `fails` or write fails = \"fast\" for now",
                );
            }
        }
    }
    if let (Some(o), Some(r)) = (&grace_origin, &requires) {
        if r.is_empty() && grace.is_some_and(|g| g > 0.0) {
            ctx.warning(o, format!("{}: has no effect because {path} has no `requires`", join(path, "grace")), "grace is how long the component keeps working after one of its requires goes down");
        }
    }
    if has_modes {
        return None;
    }
    Some(ComponentSpec {
        name: name.clone(),
        kind,
        failure: failure?,
        repair: repair?,
        detect: match detect {
            Some(d) => Some(d?),
            None => None,
        },
        within,
        requires: requires?,
        count: count?,
        need: need?,
        crew,
        grace: grace?,
        grace_origin,
    })
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
    t.check_keys(ctx, &known, ROUTE_LATER);
    let forms: Vec<&str> = ROUTE_FORMS.iter().copied().filter(|f| t.get(f).is_some()).collect();
    let member_example = "write a list of component or route names, for example [\"anthropic-api\", \"openai-api\"]";
    let form_name = match forms.as_slice() {
        [one] => *one,
        [] => {
            if t.get("balance").is_none() {
                ctx.error(&node.origin, format!("{path}: a route needs one of all, any, k_of_n, failover"), "write for example failover = [\"anthropic-api\", \"openai-api\"]");
            }
            return None;
        }
        [_, second, ..] => {
            let origin = t.get(second).map(|n| n.origin.clone()).unwrap_or_else(|| node.origin.clone());
            ctx.error(&origin, format!("{path}: a route has exactly one of all, any, k_of_n, failover; found {}", forms.join(" and ")), "split it into two routes and name one inside the other");
            return None;
        }
    };
    let form_node = t.get(form_name)?;
    if form_name != "failover" {
        for key in FAILOVER_KEYS {
            if let Some(n) = t.get(key) {
                ctx.error(&n.origin, format!("{}: only failover routes have `{key}`", join(path, key)), format!("remove `{key}`, or make the route a failover"));
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
        _ => {
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
            (RouteForm::Failover(FailoverSpec { switchover, switch_success, failback, cold, standby_origin }), form_node)
        }
    };
    let members: Vec<Name> = reader::names(ctx, members_node, &join(path, form_name), member_example)?
        .into_iter()
        .map(|(s, o)| Name::new(s, o))
        .collect();
    if members.is_empty() {
        ctx.error(&members_node.origin, format!("{}: a route needs at least one member", join(path, form_name)), member_example);
        return None;
    }
    Some(RouteSpec { name: name.clone(), form, members })
}

fn read_class(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<ClassSpec> {
    let t = Table::of(ctx, node, path, "write a table with rate = \"100/s\"")?;
    t.check_keys(ctx, CLASS_KEYS, CLASS_LATER);
    let rate = t.required(ctx, "rate", "rate = \"100/s\"").and_then(|n| {
        let r = reader::rate(ctx, n, &join(path, "rate"))?;
        if r <= 0.0 {
            ctx.error(&n.origin, format!("{}: must be above zero", join(path, "rate")), "write for example rate = \"100/s\"");
            return None;
        }
        Some(r)
    });
    let profile = match t.get("profile") {
        Some(n) => Some(read_profile(ctx, n, &join(path, "profile"))?),
        None => None,
    };
    let cost = match t.get("cost_per_hour_down") {
        Some(n) => reader::number_in(ctx, n, &join(path, "cost_per_hour_down"), 0.0, f64::MAX, "write money per hour down as a plain number, for example cost_per_hour_down = 50000")?,
        None => 0.0,
    };
    Some(ClassSpec { name: name.clone(), rate: rate?, profile, cost_per_hour_down: cost })
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
    let mut ok = true;
    for e in t.entries() {
        if e.key == "description" {
            description = reader::string(ctx, &e.node, &join(path, "description"), "write description = \"...\"").map(str::to_string);
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
    ok.then(|| ArchitectureSpec { name: name.clone(), description, routes })
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
        Some(n) => reader::number_in(ctx, n, "sla.fee", 0.0, f64::MAX, "write the fee per period as a plain number, for example fee = 100000"),
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
        out.push(SloSpec { architecture: architecture?, class, metric: metric?, min, max });
    }
    Some(out)
}
