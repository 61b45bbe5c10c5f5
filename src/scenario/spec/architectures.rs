//! `[architectures.NAME]`: one route per traffic class (read as `all`), a description and the
//! architecture's own running cost.

use crate::scenario::cost;
use crate::scenario::reader::{self, join, Ctx, Table};
use crate::scenario::spec::Name;
use crate::scenario::tree::Node;

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

pub(super) fn read_architecture(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<ArchitectureSpec> {
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
