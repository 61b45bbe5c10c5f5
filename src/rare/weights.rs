//! How balanced failure biasing shares its failure probability among the failures that can
//! take a class down: evenly down the class's route tree, rather than evenly over failure
//! transitions.
//!
//! The class's root gets weight 1. A route node splits its weight evenly among its members
//! that can still fail (have a unit that can fail somewhere beneath them); a component splits
//! its share evenly between its own failure (if a unit of it can fail) and each dependency
//! (`within`, `requires`) that can. A component's weight is what reaches its own failure, over
//! every path to it. A series `all` of a pool and a parallel `any` of three providers thus
//! gives the pool one half, however many providers there are: each way down gets its turn,
//! where an even share per transition would starve the pool when it needs many failures of one
//! transition. Components the class does not depend on get no weight: their failures are not
//! biased. Any such split keeps every failure's probability bounded away from zero
//! independently of how rare failures are, which is what Shahabuddin's bounded relative error
//! needs.

use crate::analytic::chain::Structure;

/// Scratch space for computing the weights of one class, reused from step to step.
#[derive(Clone, Debug, Default)]
pub struct Weights {
    /// Whether each local component can go down beneath it (its units, or a dependency's).
    comp_can: Vec<bool>,
    /// Whether each node can go down beneath it.
    node_can: Vec<bool>,
    /// Weight reaching each node.
    node: Vec<f64>,
    /// Weight reaching each component (to split between its own failure and its dependencies).
    reach: Vec<f64>,
    /// Weight of each component's own failure: the result.
    own: Vec<f64>,
}

impl Weights {
    /// Fills, for class root `root`, the weight of each local component's own failure, given
    /// which components have a unit that can fail now (`can_fail`); the weights sum to 1 when
    /// any failure can take the class down, else they are all 0.
    pub fn compute(&mut self, s: &Structure<'_>, root: usize, can_fail: &[bool]) -> &[f64] {
        let (members, deps) = (s.members(), s.dependencies());
        let (nc, nn) = (can_fail.len(), members.len());
        self.comp_can.clear();
        self.comp_can.resize(nc, false);
        for &i in s.order() {
            self.comp_can[i] = can_fail[i] || deps[i].iter().any(|&d| self.comp_can[d]);
        }
        self.node_can.clear();
        self.node_can.resize(nn, false);
        for (n, node) in members.iter().enumerate() {
            self.node_can[n] = node.iter().any(|m| self.member_can(m));
        }
        for v in [&mut self.node, &mut self.reach, &mut self.own] {
            v.clear();
        }
        self.node.resize(nn, 0.0);
        self.reach.resize(nc, 0.0);
        self.own.resize(nc, 0.0);
        if !self.node_can[root] {
            return &self.own;
        }
        self.node[root] = 1.0;
        // Nodes come after their members, so a node's weight is complete before it is split.
        for n in (0..nn).rev() {
            let w = self.node[n];
            if w == 0.0 {
                continue;
            }
            let eligible = members[n].iter().filter(|m| self.member_can(m)).count();
            let share = w / eligible as f64;
            for m in &members[n] {
                match *m {
                    Ok(c) if self.comp_can[c] => self.reach[c] += share,
                    Err(k) if self.node_can[k] => self.node[k] += share,
                    _ => {}
                }
            }
        }
        // Components come after their dependencies, so walk them backwards likewise.
        for &i in s.order().iter().rev() {
            let w = self.reach[i];
            if w == 0.0 {
                continue;
            }
            let parts = can_fail[i] as usize + deps[i].iter().filter(|&&d| self.comp_can[d]).count();
            let share = w / parts as f64;
            if can_fail[i] {
                self.own[i] += share;
            }
            for &d in deps[i].iter().filter(|&&d| self.comp_can[d]) {
                self.reach[d] += share;
            }
        }
        &self.own
    }

    fn member_can(&self, m: &Result<usize, usize>) -> bool {
        match *m {
            Ok(c) => self.comp_can[c],
            Err(k) => self.node_can[k],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytic::chain::Chain;

    #[test]
    fn weight_is_split_evenly_down_the_route_tree() {
        // web = all(any(p1, p2, p3), pool), p3 within a region: the pool gets 1/2, p1 and p2
        // 1/6 each, p3's sixth is shared between p3 and its region (1/12 each).
        let text = "[simulation]\nhorizon = \"1y\"\n\
            [components.region]\nfailure = \"900d\"\nrepair = \"1h\"\n\
            [components.p1]\nfailure = \"30d\"\nrepair = \"1h\"\n\
            [components.p2]\nfailure = \"30d\"\nrepair = \"1h\"\n\
            [components.p3]\nfailure = \"30d\"\nrepair = \"1h\"\nwithin = \"region\"\n\
            [components.pool]\nfailure = \"30d\"\nrepair = \"1h\"\ncount = 6\nneed = 3\n\
            [components.other]\nfailure = \"30d\"\nrepair = \"1h\"\n\
            [routes.providers]\nany = [\"p1\", \"p2\", \"p3\"]\n\
            [traffic.web]\nrate = \"1/s\"\n[traffic.api]\nrate = \"1/s\"\n\
            [architectures.a]\nweb = [\"providers\", \"pool\"]\napi = [\"other\"]\n";
        let model = crate::load_str(text, &[]).unwrap();
        let chain = Chain::new(&model, 0);
        let name = |i: usize| model.components[chain.components()[i]].name.as_str();
        let mut w = Weights::default();
        let all = vec![true; chain.components().len()];
        let got: Vec<(&str, f64)> = w.compute(&chain.structure(), chain.structure().roots()[0], &all).iter().enumerate().map(|(i, &x)| (name(i), x)).collect();
        let want = |n: &str| match n {
            "pool" => 0.5,
            "p1" | "p2" => 1.0 / 6.0,
            "p3" | "region" => 1.0 / 12.0,
            _ => 0.0,
        };
        for (n, x) in &got {
            assert!((x - want(n)).abs() < 1e-12, "{got:?}");
        }
        // With p1 down (it cannot fail again), its sixth goes to p2 and p3's side.
        let mut can = all.clone();
        let p1 = (0..can.len()).find(|&i| name(i) == "p1").unwrap();
        can[p1] = false;
        let got: Vec<(&str, f64)> = w.compute(&chain.structure(), chain.structure().roots()[0], &can).iter().enumerate().map(|(i, &x)| (name(i), x)).collect();
        for (n, x) in &got {
            let want = match *n {
                "pool" => 0.5,
                "p2" => 0.25,
                "p3" | "region" => 0.125,
                _ => 0.0,
            };
            assert!((x - want).abs() < 1e-12, "{got:?}");
        }
        // The api class only has `other`.
        let api = w.compute(&chain.structure(), chain.structure().roots()[1], &all).to_vec();
        assert_eq!(api.iter().enumerate().filter(|(_, x)| **x > 0.0).map(|(i, x)| (name(i), *x)).collect::<Vec<_>>(), vec![("other", 1.0)]);
    }
}
