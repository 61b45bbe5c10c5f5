//! Following outages past the horizon is bounded (`sim::follow`): a model down almost all the
//! time costs a bounded number of events, and the outages it cuts are said to be cut. Outages
//! that end soon after the horizon are followed to their end as before (`exact.rs`,
//! `an_outage_open_at_the_horizon_is_followed_to_its_end`, and the closed-form MTTR tests).

use relsim::sim::follow::{budget, FOLLOW_EVENTS_MIN};
use relsim::plan::Plan;
use relsim::sim::{Engine, Mode};

/// `n` components in one series (`all`) route, each up 100 h and down 10 h on average
/// (exponential): all of them are up at once with probability (10/11)^n, about 1e-41 at
/// n = 1,000, so the route is down almost from the start and does not come back.
fn series(n: usize, horizon_h: f64, reps: u32) -> String {
    let mut s = format!("[simulation]\nhorizon = \"{horizon_h}h\"\nreplications = {reps}\nseed = 3\n\n");
    for i in 0..n {
        s.push_str(&format!("[components.c{i}]\nfailure = {{ dist = \"exponential\", mean = \"100h\" }}\nrepair = {{ dist = \"exponential\", mean = \"10h\" }}\n\n"));
    }
    let members: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
    s.push_str(&format!("[routes.chain]\nall = [{}]\n\n", members.join(", ")));
    s.push_str("[traffic.t]\nrate = \"1/s\"\n\n[architectures.a]\nt = [\"chain\"]\n");
    s
}

#[test]
fn a_series_of_a_thousand_costs_a_bounded_number_of_events() {
    let model = relsim::load_str(&series(1000, 1000.0, 2), &[]).unwrap();
    let plan = Plan::new(&model, &[0]);
    let mut engine = Engine::new(&model, &plan);
    for rep in 0..2 {
        // The same replication without following: the events up to the horizon.
        engine.run_mode(rep, Mode::Availability);
        let at_horizon = engine.events;
        assert!(at_horizon > FOLLOW_EVENTS_MIN, "{at_horizon}: the budget should be the multiple, not the floor");
        engine.run(rep);
        assert_eq!(engine.events, at_horizon + budget(at_horizon), "followed for exactly the budget, then cut");
        let a = &engine.accounts.list[0];
        assert_eq!((a.cut, a.unfinished), (1, 0));
        // The cut outage counts at its followed length: longer than the horizon itself.
        assert!(a.longest > model.horizon, "{}", a.longest);
    }
}

#[test]
fn cut_outages_are_said_to_be_cut_and_mttr_is_a_lower_bound() {
    let s = relsim::simulate_str(&series(1000, 1000.0, 3), &[], Some(1)).unwrap();
    let c = &s.architectures[0].classes[0];
    let outages = c.outages_per_year.mean.unwrap() * 1000.0 / 8760.0 * 3.0;
    assert!(outages.round() >= 3.0, "{outages}");
    // MTTR stays, as a lower bound: at least the horizon, since every run's last outage is cut.
    assert!(c.mttr_hours.mean.mean.is_some_and(|m| m > 0.0));
    assert!(c.longest_outage_hours.mean.is_some_and(|m| m > 1000.0));
    assert!(
        s.notes.iter().any(|n| n.contains("were cut there: a/t: 3 of") && n.contains("so there they are lower bounds")),
        "{:?}",
        s.notes
    );
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("were cut there"), "the note reaches summary.json");
}
