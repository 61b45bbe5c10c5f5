//! The scenario as the user wrote it, typed and range-checked but with names not yet resolved:
//! one struct and one reader per table of SCENARIO.md, a file per table. Cross-references (a
//! `requires` naming a component, an architecture naming a route) are resolved by
//! `compile`. Values that name nothing (distributions, effects, breakers, a class's demand)
//! are read complete here, and the model holds them as read.

mod architectures;
mod components;
mod routes;
mod sla;
mod traffic;

pub use architectures::ArchitectureSpec;
pub use components::{ComponentSpec, CrewSpec, Deploys, Effect, Process};
pub use routes::{BalanceSpec, Breaker, Failover, RouteForm, RouteSpec, DEFAULT_ATTEMPT_TIMEOUT};
pub use sla::{Period, SlaSpec, SloSpec};
pub use traffic::{ClassSpec, Surges, TrafficClass};

use crate::diagnostic::Origin;
use crate::scenario::reader::{self, Ctx, Later, Table};
use crate::scenario::tree::Node;

/// A name as written, with where it was written.
#[derive(Clone, Debug)]
pub struct Name {
    /// The name.
    pub text: String,
    /// Its place in the source.
    pub origin: Origin,
}

impl Name {
    pub(crate) fn new(text: &str, origin: &Origin) -> Self {
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
    let components = read_named_tables(ctx, &top, "components", true, components::read_component);
    let crews = read_named_tables(ctx, &top, "crews", false, components::read_crew);
    let routes = read_named_tables(ctx, &top, "routes", false, routes::read_route);
    let classes = read_named_tables(ctx, &top, "traffic", true, traffic::read_class);
    let architectures = read_named_tables(ctx, &top, "architectures", true, architectures::read_architecture);
    let sla = top.get("sla").and_then(|n| sla::read_sla(ctx, n));
    let slos = match top.get("slo") {
        Some(n) => sla::read_slos(ctx, n),
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
