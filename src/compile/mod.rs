//! From the scenario as written ([`crate::scenario::spec`]) to the model the engine runs
//! ([`crate::model`]): resolve every name (with a "did you mean" when one is unknown), reject
//! dependency and route cycles, and expand each architecture's routes into a node graph whose
//! members come before their users. The only bridge between the two: the scenario knows
//! nothing of the model, and the model nothing of how it was written.
//!
//! [`load`] runs the whole pipeline from a file (text → tree → tables → model).

mod components;
mod cost;
mod load;
mod routes;
mod sla;

use std::collections::HashMap;

pub use load::{load, load_str, load_sweep, load_sweep_str, Loaded, SweepLoaded, SweepPoint};

use crate::diagnostic::did_you_mean;
use crate::model::{Crew, Model, TrafficClass};
use crate::scenario::reader::Ctx;
use crate::scenario::spec::Scenario;

/// Compiles a scenario. `default_name` is used when the scenario has no `name` key.
/// Returns `None` if an error was recorded in `ctx`.
pub fn compile(ctx: &mut Ctx, sc: &Scenario, default_name: &str) -> Option<Model> {
    let names = Names::new(sc);
    for r in &sc.routes {
        if names.component.contains_key(r.name.text.as_str()) {
            ctx.error(
                &r.name.origin,
                format!("routes.{0}: `{0}` is also a component; members refer to either by name, so names must differ", r.name.text),
                "rename the route, for example to \"{}-route\"".replace("{}", &r.name.text),
            );
        }
    }
    let components = components::compile(ctx, sc, &names);
    // A class names nothing: the model holds it as read.
    let classes: Vec<TrafficClass> = sc.classes.iter().map(|c| c.class.clone()).collect();
    let (architectures, routed) = routes::compile(ctx, sc, &names, &components, &classes);
    components::warn_unused(ctx, sc, &components, &routed);
    let sla = sla::compile_sla(ctx, sc, &names);
    let slos = sla::compile_slos(ctx, sc, &names);
    if ctx.diags.has_errors() {
        return None;
    }
    let costs = cost::compile(ctx, sc, &components, &architectures);
    let crews = sc.crews.iter().map(|c| Crew { name: c.name.text.clone(), size: c.size }).collect();
    Some(Model {
        name: sc.name.clone().unwrap_or_else(|| default_name.to_string()),
        description: sc.description.clone(),
        horizon: sc.simulation.horizon,
        replications: sc.simulation.replications,
        seed: sc.simulation.seed,
        confidence: sc.simulation.confidence,
        min_outage: sc.simulation.min_outage,
        components,
        crews,
        classes,
        architectures,
        sla,
        slos,
        history: Default::default(),
        costs,
    })
}

/// Where each name of the scenario is, by table.
struct Names<'a> {
    component: HashMap<&'a str, usize>,
    route: HashMap<&'a str, usize>,
    crew: HashMap<&'a str, usize>,
    class: HashMap<&'a str, usize>,
    sc: &'a Scenario,
}

impl<'a> Names<'a> {
    fn new(sc: &'a Scenario) -> Self {
        Names {
            component: sc.components.iter().enumerate().map(|(i, c)| (c.name.text.as_str(), i)).collect(),
            route: sc.routes.iter().enumerate().map(|(i, r)| (r.name.text.as_str(), i)).collect(),
            crew: sc.crews.iter().enumerate().map(|(i, c)| (c.name.text.as_str(), i)).collect(),
            class: sc.classes.iter().enumerate().map(|(i, c)| (c.class.name.as_str(), i)).collect(),
            sc,
        }
    }

    /// The traffic classes' names, in order (for "did you mean").
    fn class_names(&self) -> Vec<&'a str> {
        self.sc.classes.iter().map(|c| c.class.name.as_str()).collect()
    }
}

/// The help for an unknown name: the nearest known one, or the list, or how to define one.
fn unknown_help(word: &str, names: &[&str], what: &str, example: &str) -> String {
    match did_you_mean(word, names.iter().copied()) {
        Some(m) => format!("did you mean `{m}`?"),
        None if names.is_empty() => format!("there are no {what}; define one, for example {example}"),
        None => format!("{what} defined: {}", names.join(", ")),
    }
}
