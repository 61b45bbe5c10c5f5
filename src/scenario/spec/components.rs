//! `[components.NAME]` (failure processes, modes, deploys, pools, dependencies as written) and
//! `[crews.NAME]`.

use crate::dist::Dist;
use crate::scenario::cost;
use crate::scenario::dist::{self as dist_reader, Role};
use crate::scenario::reader::{self, join, Ctx, Table};
use crate::scenario::spec::Name;
use crate::scenario::tree::{Node, Value};
use crate::diagnostic::Origin;

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

/// What a failure does to a unit while it lasts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Effect {
    /// The unit serves nothing.
    Down,
    /// The unit serves with only this fraction of its capacity.
    Degraded {
        /// Fraction of capacity left, in [0, 1].
        capacity_left: f64,
    },
    /// This fraction of the unit's answers is wrong, and nothing notices.
    Silent {
        /// Fraction of wrong answers, in [0, 1].
        fraction: f64,
    },
}

/// One way a unit fails: an alternating process of failures and repairs with an effect.
/// A plain component has one, with effect `Down`; `modes` give several, each running
/// independently on every unit.
#[derive(Clone, Debug)]
pub struct Process {
    /// The mode's name (`None` for a plain component's failure/repair).
    pub mode: Option<String>,
    /// Time to failure.
    pub failure: Dist,
    /// Repair time.
    pub repair: Dist,
    /// Detection delay before repair starts.
    pub detect: Option<Dist>,
    /// What the failure does.
    pub effect: Effect,
}

/// Planned changes that can go wrong.
#[derive(Clone, Debug)]
pub struct Deploys {
    /// Time from the end of one deploy (or its rollback) to the next.
    pub every: Dist,
    /// Probability that a deploy is bad.
    pub bad: f64,
    /// What a bad deploy does to the whole component.
    pub effect: Effect,
    /// Time to notice a bad deploy and roll it back.
    pub rollback: Dist,
}

const COMPONENT_KEYS: &[&str] = &[
    "kind", "failure", "repair", "detect", "within", "requires", "count", "need", "crew", "grace", "fails", "capacity", "modes", "deploys",
    "running_cost", "cost_per_request",
];
const MODE_KEYS: &[&str] = &["failure", "repair", "detect", "effect", "capacity_left", "fraction"];
const DEPLOY_KEYS: &[&str] = &["every", "bad", "effect", "capacity_left", "fraction", "rollback"];

pub(super) fn read_component(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<ComponentSpec> {
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

pub(super) fn read_crew(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<CrewSpec> {
    let t = Table::of(ctx, node, path, "write a table with size = 1")?;
    t.check_keys(ctx, &["size"], &[]);
    let size = match t.get("size") {
        Some(n) => reader::integer(ctx, n, &join(path, "size"), 1, 1_000_000, "write how many repairs the crew can do at once, for example size = 2")? as u32,
        None => 1,
    };
    Some(CrewSpec { name: name.clone(), size })
}
