//! The analytic engine against exact mathematics (closed forms to 1e-9, hand-built chains), its
//! refusals (each naming the key responsible), Birnbaum importance against its definition, and
//! the simulator's 95 % intervals against the engine over many random models.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use relsim::analytic::{analyze, Analysis, ArchExact, Method, Options};
use relsim::model::dist::Dist;
use relsim::model::Model;

use crate::common::chains::{crew_chain, failover_chain};
use crate::common::{exp_component, simulation, LAMBDA, MU};

fn model(text: &str) -> Model {
    relsim::load_str(text, &[]).unwrap()
}

fn exact(text: &str) -> (Model, Analysis) {
    let m = model(text);
    let a = analyze(&m, &Options::default());
    (m, a)
}

fn arch<'a>(m: &Model, a: &'a Analysis, name: &str) -> &'a ArchExact {
    let i = m.architectures.iter().position(|x| x.name == name).unwrap();
    match &a.archs[i] {
        Ok(e) => e,
        Err(reason) => panic!("{name}: {reason}"),
    }
}

#[track_caller]
fn close(what: &str, got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{what}: {got} vs {want}");
}

/// Two components in any/all and friends, built from the common pieces.
fn scenario(extra: &str, archs: &str) -> String {
    format!("{}{}{}{}{extra}[traffic.api]\nrate = \"1/s\"\n\n{archs}", simulation(10, 1), exp_component("a", ""), exp_component("b", ""), exp_component("c", ""))
}

#[test]
fn closed_forms_of_independent_structures() {
    let (l, m) = (LAMBDA, MU);
    let a1 = m / (l + m);
    let text = scenario(
        "[components.region]\nfailure = { dist = \"exponential\", rate = \"0.0002/h\" }\nrepair = { dist = \"exponential\", rate = \"0.25/h\" }\n\n\
[components.inside]\nwithin = \"region\"\nfailure = { dist = \"exponential\", rate = \"0.001/h\" }\nrepair = { dist = \"exponential\", rate = \"0.1/h\" }\n\n\
[components.pool]\ncount = 3\nneed = 2\nfailure = { dist = \"exponential\", rate = \"0.001/h\" }\nrepair = { dist = \"exponential\", rate = \"0.1/h\" }\n\n\
[routes.pair]\nany = [\"a\", \"b\"]\n\n[routes.two]\nk_of_n = { need = 2, of = [\"a\", \"b\", \"c\"] }\n\n[routes.fo]\nfailover = [\"a\", \"b\"]\n\n",
        "[architectures.single]\napi = [\"a\"]\n\n[architectures.series]\napi = [\"a\", \"b\"]\n\n[architectures.any]\napi = [\"pair\"]\n\n\
[architectures.two]\napi = [\"two\"]\n\n[architectures.pool]\napi = [\"pool\"]\n\n[architectures.within]\napi = [\"inside\"]\n\n[architectures.failover]\napi = [\"fo\"]\n",
    );
    let (md, an) = exact(&text);
    let single = &arch(&md, &an, "single").classes[0];
    assert_eq!(arch(&md, &an, "single").method, Method::Structure);
    close("single A", single.availability, a1);
    close("single MTTR = 1/μ", single.mttr_hours().unwrap(), 1.0 / m);
    close("single MTBF = 1/λ", single.mtbf_hours().unwrap(), 1.0 / l);
    close("single MTTFF = 1/λ", single.mttff_hours.unwrap(), 1.0 / l);
    close("single outages/yr", single.frequency.unwrap() * 8760.0, 8760.0 / (1.0 / l + 1.0 / m));
    close("series", arch(&md, &an, "series").classes[0].availability, 0.98029605);
    close("series exact", arch(&md, &an, "series").classes[0].availability, a1 * a1);
    let any = &arch(&md, &an, "any").classes[0];
    close("any of two", any.availability, 1.0 - (l / (l + m)).powi(2));
    close("any of two MTTR = 1/(2μ)", any.mttr_hours().unwrap(), 1.0 / (2.0 * m));
    close("any of two MTTFF = (3λ+μ)/(2λ²)", any.mttff_hours.unwrap(), 51_500.0);
    let two = a1.powi(3) + 3.0 * a1 * a1 * (1.0 - a1);
    close("2 of 3 route", arch(&md, &an, "two").classes[0].availability, two);
    close("2 of 3 pool", arch(&md, &an, "pool").classes[0].availability, two);
    close("within", arch(&md, &an, "within").classes[0].availability, a1 * 0.25 / 0.2502);
    let fo = &arch(&md, &an, "failover").classes[0];
    close("perfect instant failover = any", fo.availability, any.availability);
    close("perfect instant failover, frequency", fo.frequency.unwrap(), any.frequency.unwrap());
}

#[test]
fn closed_forms_that_need_a_markov_chain() {
    let (l, m) = (LAMBDA, MU);
    let crewed = |extra: &str| format!("{}[crews.ops]\nsize = 1\n\n{}{}{extra}", simulation(10, 1), exp_component("a", "crew = \"ops\""), exp_component("b", "crew = \"ops\""));
    let (md, an) = exact(&crewed(
        "[routes.pair]\nany = [\"a\", \"b\"]\n\n[routes.cold]\nfailover = [\"a\", \"b\"]\nstandby = \"cold\"\n\n[routes.cold90]\nfailover = [\"a\", \"b\"]\nstandby = \"cold\"\nswitch_success = 0.9\n\n\
[traffic.api]\nrate = \"1/s\"\n\n[architectures.shared]\napi = [\"pair\"]\n\n[architectures.cold]\napi = [\"cold\"]\n\n[architectures.cold90]\napi = [\"cold90\"]\n",
    ));
    let shared = &arch(&md, &an, "shared");
    // Empty queue, one of two in repair, both down in either order of failure.
    assert!(matches!(shared.method, Method::Markov { states: 5 }), "{:?}", shared.method);
    close("any of two, one crew", shared.classes[0].availability, (m * m + 2.0 * l * m) / (m * m + 2.0 * l * m + 2.0 * l * l));
    close("any of two, one crew: MTTFF", shared.classes[0].mttff_hours.unwrap(), 51_500.0);
    close("any of two, one crew: MTTR = 1/μ", shared.classes[0].mttr_hours().unwrap(), 1.0 / m);
    let cold = &arch(&md, &an, "cold").classes[0];
    close("cold standby", cold.availability, (m * m + l * m) / (m * m + l * m + l * l));
    close("cold standby MTTFF = (2λ+μ)/λ²", cold.mttff_hours.unwrap(), 102_000.0);
    let c = 0.9;
    close("cold standby, switch 0.9", arch(&md, &an, "cold90").classes[0].availability, (m * m + c * l * m) / (m * m + l * m + c * l * l));
}

/// The closed forms the issue lists, exactly as it rounds them.
#[test]
fn the_issues_rounded_values() {
    let (l, m, c) = (LAMBDA, MU, 0.9);
    assert!(((m * m + l * m) / (m * m + l * m + l * l) - 0.99990100).abs() < 5e-9);
    assert!(((m * m + c * l * m) / (m * m + l * m + c * l * l) - 0.99892089).abs() < 5e-9);
    assert!(((3.0 * l + m) / (2.0 * l * l) - 51_500.0).abs() < 1e-9);
    assert!(((2.0 * l + m) / (l * l) - 102_000.0).abs() < 1e-9);
}

#[test]
fn markov_chains_match_hand_built_ones() {
    let fo = |failback: bool| {
        format!(
            "{}[components.a]\nfailure = {{ dist = \"exponential\", rate = \"0.001/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.1/h\" }}\n\n\
[components.b]\nfailure = {{ dist = \"exponential\", rate = \"0.004/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.05/h\" }}\n\n\
[routes.fo]\nfailover = [\"a\", \"b\"]\nswitch_success = 0.9\nfailback = {failback}\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.fo]\napi = [\"fo\"]\n",
            simulation(10, 1)
        )
    };
    for failback in [true, false] {
        let (md, an) = exact(&fo(failback));
        close(&format!("failover, failback {failback}"), arch(&md, &an, "fo").classes[0].availability, failover_chain(0.001, 0.1, 0.004, 0.05, 0.9, failback));
    }
    let text = format!(
        "{}[crews.ops]\nsize = 1\n\n[components.x]\ncrew = \"ops\"\nfailure = {{ dist = \"exponential\", rate = \"0.02/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.5/h\" }}\n\n\
[components.y]\ncrew = \"ops\"\nfailure = {{ dist = \"exponential\", rate = \"0.02/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.5/h\" }}\n\n\
[components.z]\ncrew = \"ops\"\nfailure = {{ dist = \"exponential\", rate = \"0.02/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.05/h\" }}\n\n\
[traffic.x]\nrate = \"1/s\"\n\n[traffic.all]\nrate = \"1/s\"\n\n[architectures.crew]\nx = [\"x\"]\nall = [\"x\", \"y\", \"z\"]\n",
        simulation(10, 1)
    );
    let (md, an) = exact(&text);
    let e = arch(&md, &an, "crew");
    let (states, pi) = crew_chain([0.02, 0.02, 0.02], [0.5, 0.5, 0.05], true);
    assert!(matches!(e.method, Method::Markov { states: 16 }), "{:?}", e.method);
    let x_up: f64 = states.iter().zip(&pi).filter(|(s, _)| !s.contains(&0)).map(|(_, p)| p).sum();
    close("crew, x up", e.classes[0].availability, x_up);
    close("crew, all up", e.classes[1].availability, pi[0]);
}

#[test]
fn grace_is_exact_for_independent_components() {
    let text = format!(
        "{}{}[components.app]\nrequires = [\"dep\"]\ngrace = \"5h\"\nfailure = {{ dist = \"exponential\", mean = \"1000000y\" }}\nrepair = {{ dist = \"exponential\", mean = \"1h\" }}\n\n\
[traffic.api]\nrate = \"1/s\"\n\n[architectures.cached]\napi = [\"app\"]\n",
        simulation(10, 1),
        exp_component("dep", "")
    );
    let (md, an) = exact(&text);
    let e = &arch(&md, &an, "cached").classes[0];
    let (l, m, g) = (LAMBDA, MU, 5.0);
    let app_up = 1e6 * 8760.0 / (1e6 * 8760.0 + 1.0);
    let factor = (-m * g).exp();
    // app's own failures are independent of dep's: the two multiply.
    close("grace", e.availability, app_up * (1.0 - l / (l + m) * factor));
    assert!(e.mttff_hours.is_none(), "no exact MTTFF with grace");
    assert!(arch(&md, &an, "cached").notes.iter().any(|n| n.contains("grace")));
}

#[test]
fn out_of_reach_models_name_the_key() {
    let base = |extra: &str, route: &str| {
        format!(
            "{}[crews.ops]\nsize = 1\n\n{}{}{extra}[traffic.api]\nrate = \"1/s\"\n\n[architectures.x]\napi = [{route}]\n",
            simulation(10, 1),
            exp_component("a", "crew = \"ops\""),
            exp_component("b", "crew = \"ops\"")
        )
    };
    let reason = |text: &str| -> String {
        let (_, an) = exact(text);
        an.archs[0].clone().err().unwrap_or_else(|| panic!("expected no exact answer for\n{text}"))
    };
    let r = reason(&base("[components.gpu-east]\nfailure = \"30d\"\nrepair = { dist = \"lognormal\", median = \"1h\", sigma = 1.0 }\n\n", "\"gpu-east\""));
    assert_eq!(r, "not exact: components.gpu-east.failure is fixed");
    let r = reason(&base("[components.gpu-east]\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"lognormal\", median = \"1h\", sigma = 1.0 }\n\n", "\"gpu-east\""));
    assert_eq!(r, "not exact: components.gpu-east.repair is lognormal");
    let r = reason(&base("[routes.llm]\nfailover = [\"a\", \"b\"]\nswitchover = \"30s\"\n\n", "\"llm\""));
    assert!(r.contains("routes.llm.switchover is a fixed delay (30s)"), "{r}");
    let r = reason(&base(
        "[components.app]\nrequires = [\"a\"]\ngrace = \"15m\"\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }\n\n",
        "\"app\", \"b\"",
    ));
    assert!(r.contains("components.app.grace is a fixed delay (15m)") && r.contains("crews.ops can be busy"), "{r}");
    let m = model(&base("[routes.pair]\nany = [\"a\", \"b\"]\n\n", "\"pair\""));
    let r = analyze(&m, &Options { max_states: 2, ..Options::default() }).archs[0].clone().unwrap_err();
    assert!(r.contains("more than 2 states"), "{r}");
}

/// A(component always up) − A(component always down), by changing the model itself. "Up": a
/// failure mean of 10³⁰ h. "Down" means down from the start and never repaired (taking no crew
/// member's time): a repair mean of 10³⁰ h with no crew; and since failing once would make a
/// failover whose switch can fail draw a switch-over the definition does not have, while a
/// member that is never up behaves exactly like no member, it is removed from such failovers.
fn birnbaum_by_definition(m: &Model, arch: usize, class: usize, comp: usize) -> f64 {
    use relsim::model::{Member, NodeKind};
    let huge = 1e30 * 3600.0;
    let mut up = m.clone();
    up.components[comp].processes[0].failure = Dist::Exponential { mean: huge };
    let mut down = m.clone();
    let member = Member::Component(comp);
    let imperfect = |n: &relsim::model::RouteNode| matches!(&n.kind, NodeKind::Failover(f) if f.switch_success < 1.0) && n.members.contains(&member);
    for node in down.architectures[arch].nodes.iter_mut().filter(|n| imperfect(n)) {
        node.members.retain(|x| *x != member);
    }
    down.components[comp].processes[0].repair = Dist::Exponential { mean: huge };
    down.components[comp].processes[0].detect = None;
    down.components[comp].crew = None;
    let avail = |mm: &Model| analyze(mm, &Options { mttff: false, birnbaum: false, ..Options::default() }).archs[arch].as_ref().unwrap().classes[class].availability;
    avail(&up) - avail(&down)
}

#[test]
fn birnbaum_importance_matches_its_definition() {
    let text = format!(
        "{}[crews.ops]\nsize = 1\n\n{}{}{}[components.region]\nfailure = {{ dist = \"exponential\", rate = \"0.0005/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.2/h\" }}\n\n\
[components.inside]\nwithin = \"region\"\nfailure = {{ dist = \"exponential\", rate = \"0.002/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.1/h\" }}\n\n\
[routes.pair]\nany = [\"a\", \"b\"]\n\n[routes.fo]\nfailover = [\"c\", \"inside\"]\nswitch_success = 0.8\n\n\
[traffic.api]\nrate = \"1/s\"\n\n[traffic.web]\nrate = \"1/s\"\n\n\
[architectures.independent]\napi = [\"inside\", \"pair\"]\nweb = [\"b\", \"region\"]\n\n[architectures.dependent]\napi = [\"fo\", \"pair\"]\nweb = [\"inside\"]\n",
        simulation(10, 1),
        exp_component("a", "crew = \"ops\""),
        exp_component("b", ""),
        exp_component("c", "crew = \"ops\""),
    );
    let (m, an) = exact(&text);
    let mut checked = 0;
    for (ai, r) in an.archs.iter().enumerate() {
        let e = r.as_ref().unwrap();
        for (ci, class) in e.classes.iter().enumerate() {
            assert!(!class.birnbaum.is_empty());
            for &(k, b) in &class.birnbaum {
                let def = birnbaum_by_definition(&m, ai, ci, k);
                assert!((b - def).abs() < 1e-9, "{}/{}/{}: {b} vs {def}", m.architectures[ai].name, m.classes[ci].name, m.components[k].name);
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "{checked}");
    assert_eq!(arch(&m, &an, "independent").method, Method::Structure);
    assert!(matches!(arch(&m, &an, "dependent").method, Method::Markov { .. }));
}

#[test]
fn a_chain_of_a_hundred_thousand_states_solves() {
    // Eight different components, one crew: the queue in order of failure has
    // Σ 8!/(8−k)! = 109,601 states.
    let mut text = format!("{}[crews.ops]\nsize = 1\n\n", simulation(10, 1));
    let names: Vec<String> = (0..8).map(|i| format!("u{i}")).collect();
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "[components.{n}]\ncrew = \"ops\"\nfailure = {{ dist = \"exponential\", rate = \"{}/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"{}/h\" }}\n\n",
            0.01 + 0.002 * i as f64,
            0.2 + 0.05 * i as f64
        ));
    }
    let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    text.push_str(&format!("[routes.six]\nk_of_n = {{ need = 6, of = [{}] }}\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.big]\napi = [\"six\"]\n", list.join(", ")));
    let m = model(&text);
    let an = analyze(&m, &Options { birnbaum: false, ..Options::default() });
    let e = an.archs[0].as_ref().unwrap();
    assert_eq!(e.method, Method::Markov { states: 109_601 });
    let a = e.classes[0].availability;
    assert!(a > 0.9 && a < 1.0, "{a}");
    assert!(e.classes[0].mttff_hours.unwrap() > 0.0);
    // The simulator agrees.
    let s = relsim::simulate(&Model { replications: 400, horizon: 5.0 * 8760.0 * 3600.0, confidence: 0.999, ..m }, Some(2)).unwrap();
    let est = s.architectures[0].classes[0].availability;
    assert!(est.contains(a), "{est:?} vs {a}");
}

/// A random exponential model: 2 to 6 components (some pools, some with detection, some in a
/// region, some sharing a crew), one route mixing all, any, k_of_n and failover with
/// switch_success below 1.
fn random_model(rng: &mut Xoshiro256PlusPlus, seed: u64) -> String {
    let n = rng.random_range(2..=6);
    let mut text = format!("[simulation]\nhorizon = \"5y\"\nreplications = 100\nseed = {seed}\nconfidence = 0.95\n\n[crews.ops]\nsize = 1\n\n");
    let region = rng.random_bool(0.4);
    if region {
        text.push_str("[components.region]\nfailure = { dist = \"exponential\", rate = \"0.0004/h\" }\nrepair = { dist = \"exponential\", rate = \"0.3/h\" }\n\n");
    }
    let crew_mode = rng.random_range(0..3);
    for i in 0..n {
        let lambda = rng.random_range(0.001..0.006);
        let mu = rng.random_range(0.05..0.6);
        text.push_str(&format!("[components.c{i}]\nfailure = {{ dist = \"exponential\", rate = \"{lambda}/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"{mu}/h\" }}\n"));
        if rng.random_bool(0.25) {
            text.push_str(&format!("detect = {{ dist = \"exponential\", mean = \"{}h\" }}\n", rng.random_range(0.2..2.0)));
        }
        if rng.random_bool(0.2) {
            let count = rng.random_range(2..=3);
            text.push_str(&format!("count = {count}\nneed = {}\n", rng.random_range(1..=count)));
        }
        if region && rng.random_bool(0.4) {
            text.push_str("within = \"region\"\n");
        }
        if (crew_mode == 1 && i < 3) || (crew_mode == 2 && i % 2 == 0) {
            text.push_str("crew = \"ops\"\n");
        }
        text.push('\n');
    }
    // A random route over the components, two levels deep.
    let names: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
    let split = rng.random_range(1..n);
    let (left, right) = names.split_at(split);
    let group = |rng: &mut Xoshiro256PlusPlus, members: &[String], name: &str| -> String {
        let list = members.join(", ");
        match rng.random_range(0..4) {
            0 => format!("[routes.{name}]\nall = [{list}]\n\n"),
            1 => format!("[routes.{name}]\nany = [{list}]\n\n"),
            2 => format!("[routes.{name}]\nk_of_n = {{ need = {}, of = [{list}] }}\n\n", rng.random_range(1..=members.len())),
            _ => format!(
                "[routes.{name}]\nfailover = [{list}]\nswitch_success = {}\nfailback = {}\n\n",
                rng.random_range(0.6..1.0),
                rng.random_bool(0.5)
            ),
        }
    };
    text.push_str(&group(rng, left, "left"));
    text.push_str(&group(rng, right, "right"));
    let top = if rng.random_bool(0.5) { "all" } else { "any" };
    text.push_str(&format!("[routes.top]\n{top} = [\"left\", \"right\"]\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.random]\napi = [\"top\"]\n"));
    text
}

/// Over at least 200 random exponential models, the simulator's 95 % intervals for availability
/// contain the exact value about 95 % of the time. Models the simulation could not estimate well
/// (fewer than 20 expected outages per replication) are replaced by the next random one, so the
/// count is of meaningful intervals.
#[test]
fn simulated_intervals_cover_the_exact_values() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
    let (mut tried, mut covered, mut seed) = (0, 0, 1000);
    let options = Options { mttff: false, birnbaum: false, max_states: 50_000 };
    while tried < 200 {
        seed += 1;
        let text = random_model(&mut rng, seed);
        let m = model(&text);
        let Ok(e) = analyze(&m, &options).archs[0].clone() else { continue };
        let exact = &e.classes[0];
        let outages_per_rep = exact.frequency.unwrap() * m.horizon / 3600.0;
        if outages_per_rep < 20.0 || exact.availability < 0.5 {
            continue;
        }
        let s = relsim::simulate(&m, Some(2)).unwrap();
        tried += 1;
        if s.architectures[0].classes[0].availability.contains(exact.availability) {
            covered += 1;
        }
    }
    let fraction = covered as f64 / tried as f64;
    eprintln!("coverage: {covered} of {tried} 95 % intervals contain the exact availability ({:.1} %)", 100.0 * fraction);
    assert!((0.92..=0.98).contains(&fraction), "{covered} of {tried} intervals contain the exact value");
}

/// Birnbaum importance estimated by simulation (`--importance`, each component held up and
/// down on the same random numbers) agrees with the exact values, with and without a Markov
/// chain.
#[test]
fn simulated_birnbaum_importance_agrees_with_the_exact_one() {
    let text = format!(
        "[simulation]\nhorizon = \"10y\"\nreplications = 300\nseed = 31\nconfidence = 0.999\n\n[crews.ops]\nsize = 1\n\n{}{}{}\
[components.region]\nfailure = {{ dist = \"exponential\", rate = \"0.0005/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.2/h\" }}\n\n\
[components.inside]\nwithin = \"region\"\nfailure = {{ dist = \"exponential\", rate = \"0.002/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.1/h\" }}\n\n\
[routes.pair]\nany = [\"a\", \"b\"]\n\n[routes.fo]\nfailover = [\"c\", \"inside\"]\nswitch_success = 0.8\n\n[traffic.api]\nrate = \"1/s\"\n\n\
[architectures.independent]\napi = [\"inside\", \"pair\"]\n\n[architectures.dependent]\napi = [\"fo\", \"pair\"]\n",
        exp_component("a", "crew = \"ops\""),
        exp_component("b", ""),
        exp_component("c", "crew = \"ops\""),
    );
    let m = model(&text);
    let options = relsim::montecarlo::Options { threads: Some(2), first_outage: false, importance: true, ..Default::default() };
    let mut s = relsim::simulate_with(&m, &options).unwrap();
    relsim::analytic::attach(&mut s, &analyze(&m, &Options::default()), &m);
    let mut checked = 0;
    for a in &s.architectures {
        for imp in &a.classes[0].importance {
            let exact = imp.birnbaum.exact.unwrap_or_else(|| panic!("{}/{}: no exact value", a.name, imp.component));
            assert!(imp.birnbaum.contains(exact), "{}/{}: {:?} vs exact {exact}", a.name, imp.component, imp.birnbaum);
            assert!(imp.birnbaum.half_width().unwrap() < 0.01, "{}/{}: {:?}", a.name, imp.component, imp.birnbaum);
            checked += 1;
        }
    }
    assert_eq!(checked, 9, "4 components in one architecture, 5 in the other");
}

/// A 1,000-component `k_of_n` that tolerates 50 failures: availability and every Birnbaum
/// importance against the binomial closed forms; the outage frequency and the chain for the
/// mean time to first outage are too large, and each says so in a note instead of running
/// for minutes.
#[test]
fn a_thousand_components_get_exact_availability_and_importance_and_notes_for_the_rest() {
    use statrs::distribution::{Binomial, Discrete, DiscreteCDF};
    let (n, tolerate) = (1000u64, 50u64);
    let mut text = String::from("[simulation]\nhorizon = \"1y\"\nreplications = 10\nseed = 1\n\n");
    for i in 0..n {
        text.push_str(&format!("[components.c{i}]\nfailure = {{ dist = \"exponential\", mean = \"100h\" }}\nrepair = {{ dist = \"exponential\", mean = \"1h\" }}\n\n"));
    }
    let members: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
    text.push_str(&format!("[routes.fleet]\nk_of_n = {{ need = {}, of = [{}] }}\n\n", n - tolerate, members.join(", ")));
    text.push_str("[traffic.t]\nrate = \"1/s\"\n\n[architectures.a]\nt = [\"fleet\"]\n");
    let (m, a) = exact(&text);
    let e = arch(&m, &a, "a");
    let q = 1.0 / 101.0; // each component down
    let failed = |of: u64| Binomial::new(q, of).unwrap(); // how many of `of` are down
    close("availability", e.classes[0].availability, failed(n).cdf(tolerate));
    // A component matters exactly when `tolerate` of the other 999 are down.
    let b = failed(n - 1).pmf(tolerate);
    assert_eq!(e.classes[0].birnbaum.len(), n as usize);
    for &(_, got) in &e.classes[0].birnbaum {
        close("birnbaum", got, b);
    }
    assert!(e.classes[0].frequency.is_none());
    assert!(e.notes.iter().any(|s| s.contains("no exact outage frequency") && s.contains("1000 components")), "{:?}", e.notes);
    assert!(e.notes.iter().any(|s| s.contains("too many to hold")), "{:?}", e.notes);
}
