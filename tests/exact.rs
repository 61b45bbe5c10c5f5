//! Monte Carlo intervals against exact values: closed forms and small Markov chains.
//! λ = 0.001/h and μ = 0.1/h unless stated.

use crate::common::chains::{crew_chain, failover_chain};
use crate::common::{assert_covers, class, ctmc::steady_state, exp_component, run, simulation, LAMBDA, MU};

const HOURS_PER_YEAR: f64 = 8760.0;

fn single_availability() -> f64 {
    MU / (LAMBDA + MU)
}

#[test]
fn single_component_availability_outages_mttr_mtbf() {
    let text = format!(
        "{}{}[traffic.api]\nrate = \"10/s\"\ncost_per_hour_down = 1000\n\n[architectures.one]\napi = [\"a\"]\n",
        simulation(1000, 11),
        exp_component("a", "")
    );
    let s = run(&text, &[]);
    let c = class(&s, "one", "api");
    let a = single_availability();
    assert_eq!(a, 100.0 / 101.0);
    assert_covers("availability", &c.availability, a, 2e-4);
    assert_eq!(c.request_success, c.availability, "a flat profile weighs every hour alike");
    assert_covers("downtime h/yr", &c.downtime_hours_per_year, (1.0 - a) * HOURS_PER_YEAR, 2.0);
    assert_covers("outages/yr", &c.outages_per_year, HOURS_PER_YEAR / (1.0 / LAMBDA + 1.0 / MU), 0.15);
    assert_covers("MTTR mean = 1/μ", &c.mttr_hours.mean, 1.0 / MU, 0.2);
    assert_covers("MTBF = 1/λ", &c.mtbf_hours, 1.0 / LAMBDA, 20.0);
    let median = c.mttr_hours.median;
    let p90 = c.mttr_hours.p90;
    assert!(median.ci_low.unwrap() <= 2f64.ln() / MU && 2f64.ln() / MU <= median.ci_high.unwrap(), "median {median:?}");
    assert!(p90.ci_low.unwrap() <= 10f64.ln() / MU && 10f64.ln() / MU <= p90.ci_high.unwrap(), "p90 {p90:?}");
    assert_eq!(c.blips_per_year.mean, Some(0.0));
    let cost = c.cost_per_year.mean.unwrap();
    assert!((cost - 1000.0 * c.downtime_hours_per_year.mean.unwrap()).abs() < 1e-6 * cost);
}

#[test]
fn series_of_two_with_independent_repair() {
    let text = format!(
        "{}{}{}[traffic.api]\nrate = \"1/s\"\n\n[routes.both]\nall = [\"a\", \"b\"]\n\n[architectures.direct]\napi = [\"a\", \"b\"]\n\n[architectures.route]\napi = [\"both\"]\n",
        simulation(1000, 12),
        exp_component("a", ""),
        exp_component("b", "")
    );
    let s = run(&text, &[]);
    let exact = single_availability().powi(2);
    assert!((exact - 0.98029605).abs() < 1e-8);
    assert_covers("series (architecture list)", &class(&s, "direct", "api").availability, exact, 3e-4);
    assert_covers("series (all route)", &class(&s, "route", "api").availability, exact, 3e-4);
}

#[test]
fn any_of_two_with_independent_repair() {
    let text = format!(
        "{}{}{}[traffic.api]\nrate = \"1/s\"\n\n[routes.pair]\nany = [\"a\", \"b\"]\n\n[architectures.parallel]\napi = [\"pair\"]\n",
        simulation(2000, 13),
        exp_component("a", ""),
        exp_component("b", "")
    );
    let s = run(&text, &[]);
    let q = LAMBDA / (LAMBDA + MU);
    let exact = 1.0 - q * q;
    assert!((exact - 0.99990197).abs() < 1e-8);
    let c = class(&s, "parallel", "api");
    assert_covers("any of two", &c.availability, exact, 2e-5);
    // Both must be down; they come back at rate 2μ.
    assert_covers("MTTR of any of two = 1/(2μ)", &c.mttr_hours.mean, 1.0 / (2.0 * MU), 0.5);
}

#[test]
fn two_of_three_as_route_and_as_pool() {
    let text = format!(
        "{}{}{}{}[components.pool]\ncount = 3\nneed = 2\nfailure = {{ dist = \"exponential\", rate = \"0.001/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.1/h\" }}\n\n[traffic.api]\nrate = \"1/s\"\n\n[routes.two]\nk_of_n = {{ need = 2, of = [\"a\", \"b\", \"c\"] }}\n\n[architectures.route]\napi = [\"two\"]\n\n[architectures.pool]\napi = [\"pool\"]\n",
        simulation(2000, 14),
        exp_component("a", ""),
        exp_component("b", ""),
        exp_component("c", "")
    );
    let s = run(&text, &[]);
    let a = single_availability();
    let exact = a.powi(3) + 3.0 * a * a * (1.0 - a);
    assert!((exact - 0.99970785).abs() < 1e-8);
    assert_covers("2 of 3 (k_of_n route)", &class(&s, "route", "api").availability, exact, 4e-5);
    assert_covers("2 of 3 (pool count/need)", &class(&s, "pool", "api").availability, exact, 4e-5);
}

#[test]
fn two_in_any_sharing_one_crew() {
    let text = format!(
        "{}[crews.ops]\nsize = 1\n\n{}{}{}{}[traffic.api]\nrate = \"1/s\"\n\n[routes.shared]\nany = [\"a\", \"b\"]\n\n[routes.separate]\nany = [\"c\", \"d\"]\n\n[architectures.shared]\napi = [\"shared\"]\n\n[architectures.separate]\napi = [\"separate\"]\n",
        simulation(2000, 15),
        exp_component("a", "crew = \"ops\""),
        exp_component("b", "crew = \"ops\""),
        exp_component("c", ""),
        exp_component("d", "")
    );
    let s = run(&text, &[]);
    let (l, m) = (LAMBDA, MU);
    let exact = (m * m + 2.0 * l * m) / (m * m + 2.0 * l * m + 2.0 * l * l);
    assert!((exact - 0.99980396).abs() < 1e-8);
    let shared = class(&s, "shared", "api");
    assert_covers("any of two, one crew", &shared.availability, exact, 3e-5);
    assert!(!shared.availability.contains(1.0 - (l / (l + m)).powi(2)), "the crew must make a difference");
    // With one crew the outage ends when the one repair in progress ends: mean 1/μ.
    assert_covers("MTTR with one crew = 1/μ", &shared.mttr_hours.mean, 1.0 / m, 1.0);
}

/// One crew repairs three components in order of failure. Component x's availability depends
/// on the order (it waits behind z's slow repairs); a crew that took the lowest index first
/// would give a different answer, which the interval must exclude.
#[test]
fn crew_repairs_in_order_of_failure() {
    let (lambda, mu) = ([0.02, 0.02, 0.02], [0.5, 0.5, 0.05]);
    let x_up = |(states, pi): (Vec<Vec<usize>>, Vec<f64>)| states.iter().zip(&pi).filter(|(s, _)| !s.contains(&0)).map(|(_, p)| p).sum::<f64>();
    let two_up = |(states, pi): (Vec<Vec<usize>>, Vec<f64>)| states.iter().zip(&pi).filter(|(s, _)| s.len() <= 1).map(|(_, p)| p).sum::<f64>();
    let (fifo_x, other_x) = (x_up(crew_chain(lambda, mu, true)), x_up(crew_chain(lambda, mu, false)));
    assert!((fifo_x - other_x).abs() > 1e-3, "the rates must make the order matter: {fifo_x} vs {other_x}");
    let text = "[simulation]\nhorizon = \"20y\"\nreplications = 600\nseed = 16\nconfidence = 0.999\n\n[crews.ops]\nsize = 1\n\n\
[components.x]\ncrew = \"ops\"\nfailure = { dist = \"exponential\", rate = \"0.02/h\" }\nrepair = { dist = \"exponential\", rate = \"0.5/h\" }\n\n\
[components.y]\ncrew = \"ops\"\nfailure = { dist = \"exponential\", rate = \"0.02/h\" }\nrepair = { dist = \"exponential\", rate = \"0.5/h\" }\n\n\
[components.z]\ncrew = \"ops\"\nfailure = { dist = \"exponential\", rate = \"0.02/h\" }\nrepair = { dist = \"exponential\", rate = \"0.05/h\" }\n\n\
[routes.two]\nk_of_n = { need = 2, of = [\"x\", \"y\", \"z\"] }\n\n\
[traffic.x]\nrate = \"1/s\"\n\n[traffic.two]\nrate = \"1/s\"\n\n[architectures.shared-crew]\nx = [\"x\"]\ntwo = [\"two\"]\n";
    let s = run(text, &[]);
    let x = class(&s, "shared-crew", "x");
    assert_covers("x with a FIFO crew", &x.availability, fifo_x, 8e-4);
    assert!(!x.availability.contains(other_x), "order of failure must differ from lowest index first");
    assert_covers("2 of 3 with a FIFO crew", &class(&s, "shared-crew", "two").availability, two_up(crew_chain(lambda, mu, true)), 1e-3);
}

#[test]
fn within_and_requires_multiply_availabilities() {
    let region = "[components.region]\nkind = \"region\"\nfailure = { dist = \"exponential\", rate = \"0.0002/h\" }\nrepair = { dist = \"exponential\", rate = \"0.25/h\" }\n\n";
    let text = format!(
        "{}{region}{}{}[traffic.api]\nrate = \"1/s\"\n\n[architectures.within]\napi = [\"svc\"]\n\n[architectures.requires]\napi = [\"app\"]\n",
        simulation(1000, 17),
        exp_component("svc", "within = \"region\""),
        exp_component("app", "requires = [\"region\"]"),
    );
    let s = run(&text, &[]);
    let exact = single_availability() * 0.25 / (0.25 + 0.0002);
    assert_covers("within region", &class(&s, "within", "api").availability, exact, 2.5e-4);
    assert_covers("requires", &class(&s, "requires", "api").availability, exact, 2.5e-4);
}

/// A component that never fails itself but requires `dep` with a grace period g is down for
/// max(0, D − g) of each outage D ~ Exp(μ) of dep: unavailability λ/(λ+μ)·e^(−μg), and only
/// outages longer than g count, each lasting 1/μ on average past g (memorylessness).
#[test]
fn grace_rides_out_short_dependency_outages() {
    let text = format!(
        "{}{}[components.app]\nrequires = [\"dep\"]\ngrace = \"5h\"\nfailure = \"1000y\"\nrepair = \"1h\"\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.cached]\napi = [\"app\"]\n",
        simulation(1500, 18),
        exp_component("dep", ""),
    );
    let s = run(&text, &[]);
    let c = class(&s, "cached", "api");
    let g = 5.0;
    let factor = (-MU * g).exp();
    assert_covers("availability with grace", &c.availability, 1.0 - LAMBDA / (LAMBDA + MU) * factor, 2e-4);
    assert_covers("outages with grace", &c.outages_per_year, HOURS_PER_YEAR / (1.0 / LAMBDA + 1.0 / MU) * factor, 0.15);
    assert_covers("MTTR past the grace", &c.mttr_hours.mean, 1.0 / MU, 0.6);
}

/// Failover to a member that never fails, with a switch-over of s = 2h: each failure of the
/// primary costs min(s, D) with D ~ Exp(μ) its repair (a repair within s cancels the switch).
/// With min_outage = 3h every such outage is a blip.
#[test]
fn switchover_time_and_blips() {
    let base = format!(
        "{}{}[components.spare]\nfailure = \"1000y\"\nrepair = \"1h\"\n\n[routes.fo]\nfailover = [\"primary\", \"spare\"]\nswitchover = \"2h\"\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.fo]\napi = [\"fo\"]\n",
        simulation(1000, 19),
        exp_component("primary", ""),
    );
    let s_h = 2.0;
    let per_outage = (1.0 - (-MU * s_h).exp()) / MU;
    let rate = HOURS_PER_YEAR / (1.0 / LAMBDA + 1.0 / MU);
    let s = run(&base, &[]);
    let c = class(&s, "fo", "api");
    assert_covers("availability with switchover", &c.availability, 1.0 - per_outage / (1.0 / LAMBDA + 1.0 / MU), 3e-5);
    assert_covers("MTTR = E[min(s, D)]", &c.mttr_hours.mean, per_outage, 0.05);
    assert_covers("outages/yr", &c.outages_per_year, rate, 0.2);
    let s = run(&base, &["simulation.min_outage=3h"]);
    let c = class(&s, "fo", "api");
    assert_covers("blips/yr", &c.blips_per_year, rate, 0.2);
    assert_eq!(c.outages_per_year.mean, Some(0.0));
    assert_eq!(c.mttr_hours.mean.mean, None, "no outages, so no MTTR");
}

#[test]
fn failover_with_imperfect_switch_and_failback() {
    let (la, ma, lb, mb, c) = (0.001, 0.1, 0.004, 0.05, 0.9);
    let with = failover_chain(la, ma, lb, mb, c, true);
    let without = failover_chain(la, ma, lb, mb, c, false);
    assert!((with - without).abs() > 1e-4, "the chosen rates must make failback matter: {with} vs {without}");
    let text = "[simulation]\nhorizon = \"10y\"\nreplications = 2000\nseed = 20\nconfidence = 0.999\n\n\
[components.a]\nfailure = { dist = \"exponential\", rate = \"0.001/h\" }\nrepair = { dist = \"exponential\", rate = \"0.1/h\" }\n\n\
[components.b]\nfailure = { dist = \"exponential\", rate = \"0.004/h\" }\nrepair = { dist = \"exponential\", rate = \"0.05/h\" }\n\n\
[routes.back]\nfailover = [\"a\", \"b\"]\nswitch_success = 0.9\n\n\
[routes.stay]\nfailover = [\"a\", \"b\"]\nswitch_success = 0.9\nfailback = false\n\n\
[traffic.api]\nrate = \"1/s\"\n\n[architectures.back]\napi = [\"back\"]\n\n[architectures.stay]\napi = [\"stay\"]\n";
    let s = run(text, &[]);
    assert_covers("failover, failback", &class(&s, "back", "api").availability, with, 1e-4);
    assert_covers("failover, no failback", &class(&s, "stay", "api").availability, without, 1e-4);
}

#[test]
fn a_fixed_failure_repair_pair_is_deterministic() {
    let text = "[simulation]\nhorizon = \"8800h\"\nreplications = 5\n\n[components.cron]\nfailure = \"99h\"\nrepair = { dist = \"fixed\", value = \"1h\" }\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.one]\napi = [\"cron\"]\n";
    let s = run(text, &[]);
    let c = class(&s, "one", "api");
    assert_eq!(c.availability.mean, Some(0.99));
    assert_eq!(c.availability.ci_low, c.availability.ci_high);
    assert_eq!(c.mttr_hours.mean.mean, Some(1.0));
    assert_eq!(c.mttr_hours.median.value, Some(1.0));
    assert_eq!(c.mttr_hours.p90.value, Some(1.0));
    assert_eq!(c.mtbf_hours.mean, Some(99.0));
    assert!((c.outages_per_year.mean.unwrap() - 88.0 * 8760.0 / 8800.0).abs() < 1e-9);
    // Over one year (8760 h): 87 outages of 1 h fall inside the horizon.
    let s = run(text, &["simulation.horizon=1y"]);
    assert!((class(&s, "one", "api").availability.mean.unwrap() - (1.0 - 87.0 / 8760.0)).abs() < 1e-12);
}

/// An outage still open at the horizon is followed to its end for MTTR, while only its part
/// inside the horizon counts as downtime.
#[test]
fn an_outage_open_at_the_horizon_is_followed_to_its_end() {
    let text = "[simulation]\nhorizon = \"1y\"\nreplications = 3\n\n[components.x]\nfailure = \"8759h\"\nrepair = \"10h\"\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.one]\napi = [\"x\"]\n";
    let c = class(&run(text, &[]), "one", "api").clone();
    assert!((c.availability.mean.unwrap() - (1.0 - 1.0 / 8760.0)).abs() < 1e-12);
    assert_eq!(c.mttr_hours.mean.mean, Some(10.0));
    assert_eq!(c.longest_outage_hours.mean, Some(10.0));
    assert_eq!(c.outages_per_year.mean, Some(1.0));
}

/// Mean of a normal(m, sd) truncated at zero: m + sd·φ(α)/(1 − Φ(α)), α = −m/sd.
fn truncated_normal_mean(m: f64, sd: f64) -> f64 {
    use statrs::distribution::{Continuous, ContinuousCDF, Normal};
    let n = Normal::standard();
    let alpha = -m / sd;
    m + sd * n.pdf(alpha) / (1.0 - n.cdf(alpha))
}

/// Renewal-reward: a component alone has availability E[F] / (E[F] + E[detect] + E[R]) for any
/// distributions. One class per component; the long horizon makes the start-up bias negligible.
#[test]
fn every_distribution_obeys_renewal_reward() {
    let exp_repair = "{ dist = \"exponential\", mean = \"10h\" }";
    let exp_failure = "{ dist = \"exponential\", mean = \"1000h\" }";
    let failures = [
        ("f_exp", "{ dist = \"exponential\", mean = \"1000h\" }", 1000.0),
        ("f_weibull", "{ dist = \"weibull\", shape = 0.7, scale = \"790h\" }", 790.0 * statrs::function::gamma::gamma(1.0 + 1.0 / 0.7)),
        ("f_lognormal", "{ dist = \"lognormal\", median = \"600h\", sigma = 1.0 }", 600.0 * (0.5f64).exp()),
        ("f_gamma", "{ dist = \"gamma\", shape = 2.0, scale = \"500h\" }", 1000.0),
        ("f_normal", "{ dist = \"normal\", mean = \"1000h\", sd = \"300h\" }", truncated_normal_mean(1000.0, 300.0)),
        ("f_uniform", "{ dist = \"uniform\", min = \"500h\", max = \"1500h\" }", 1000.0),
        ("f_fixed", "{ dist = \"fixed\", value = \"1000h\" }", 1000.0),
        ("f_empirical", "{ dist = \"empirical\", samples = [\"500h\", \"1000h\", \"1500h\"] }", 1000.0),
    ];
    let repairs = [
        ("r_weibull", "{ dist = \"weibull\", shape = 1.5, scale = \"10h\" }", 10.0 * statrs::function::gamma::gamma(1.0 + 1.0 / 1.5)),
        ("r_lognormal", "{ dist = \"lognormal\", median = \"6h\", sigma = 1.2 }", 6.0 * (0.72f64).exp()),
        ("r_gamma", "{ dist = \"gamma\", shape = 0.5, scale = \"20h\" }", 10.0),
        ("r_normal", "{ dist = \"normal\", mean = \"10h\", sd = \"4h\" }", truncated_normal_mean(10.0, 4.0)),
        ("r_uniform", "{ dist = \"uniform\", min = \"2h\", max = \"18h\" }", 10.0),
        ("r_fixed", "\"10h\"", 10.0),
        ("r_empirical", "{ dist = \"empirical\", samples = [\"2h\", \"8h\", \"20h\"] }", 10.0),
    ];
    let mut text = String::from("[simulation]\nhorizon = \"100y\"\nreplications = 300\nseed = 21\nconfidence = 0.999\n\n");
    let mut arch = String::from("[architectures.each]\n");
    let mut cases = Vec::new();
    for (name, f, mean) in failures {
        text.push_str(&format!("[components.{name}]\nfailure = {f}\nrepair = {exp_repair}\n\n[traffic.{name}]\nrate = \"1/s\"\n\n"));
        arch.push_str(&format!("{name} = [\"{name}\"]\n"));
        cases.push((name, mean / (mean + 10.0)));
    }
    for (name, r, mean) in repairs {
        text.push_str(&format!("[components.{name}]\nfailure = {exp_failure}\nrepair = {r}\n\n[traffic.{name}]\nrate = \"1/s\"\n\n"));
        arch.push_str(&format!("{name} = [\"{name}\"]\n"));
        cases.push((name, 1000.0 / (1000.0 + mean)));
    }
    text.push_str(&format!(
        "[components.detected]\nfailure = {exp_failure}\ndetect = {{ dist = \"exponential\", mean = \"2h\" }}\nrepair = {{ dist = \"lognormal\", median = \"6h\", sigma = 1.2 }}\n\n[traffic.detected]\nrate = \"1/s\"\n\n"
    ));
    arch.push_str("detected = [\"detected\"]\n");
    cases.push(("detected", 1000.0 / (1000.0 + 2.0 + 6.0 * (0.72f64).exp())));
    text.push_str(&arch);
    let s = run(&text, &[]);
    for (name, exact) in cases {
        assert_covers(name, &class(&s, "each", name).availability, exact, 3e-4);
    }
}

/// A daily profile weighs downtime by the hour it falls in. A component down exactly during
/// hour 23 of every day, with a profile that sends little traffic then.
#[test]
fn request_success_follows_the_daily_profile() {
    let other = (24.0 - 0.2) / 23.0;
    let profile: Vec<String> = (0..24).map(|h| if h == 23 { "0.2".to_string() } else { format!("{other}") }).collect();
    let text = format!(
        "[simulation]\nhorizon = \"30d\"\nreplications = 2\n\n[components.nightly]\nfailure = \"23h\"\nrepair = \"1h\"\n\n[traffic.api]\nrate = \"100/s\"\nprofile = [{}]\n\n[architectures.one]\napi = [\"nightly\"]\n",
        profile.join(", ")
    );
    let c = class(&run(&text, &[]), "one", "api").clone();
    assert!((c.availability.mean.unwrap() - 23.0 / 24.0).abs() < 1e-12);
    assert!((c.request_success.mean.unwrap() - (1.0 - 0.2 / 24.0)).abs() < 1e-9, "{:?}", c.request_success);
}

/// Down 1 h in every 100 h: each 730 h month has 7 or 8 hours down (availability below 0.995,
/// above 0.98), so every month breaches a 0.995 target and earns the 10 % credit.
#[test]
fn sla_breaches_and_credits() {
    let text = "[simulation]\nhorizon = \"1y\"\nreplications = 2\n\n[components.x]\nfailure = \"99h\"\nrepair = \"1h\"\n\n\
[traffic.api]\nrate = \"1/s\"\ncost_per_hour_down = 100\n\n[architectures.one]\napi = [\"x\"]\n\n\
[sla]\ntarget = 0.995\nperiod = \"month\"\nfee = 1000\ncredits = [{ below = 0.995, credit = 0.10 }, { below = 0.95, credit = 0.5 }]\n";
    let s = run(text, &[]);
    let a = &s.architectures[0];
    assert_eq!(a.sla_breach_probability.unwrap().mean, Some(1.0));
    assert!((a.sla_credits_per_year.unwrap().mean.unwrap() - 1200.0).abs() < 1e-9);
    assert!((a.cost_per_year.mean.unwrap() - (87.0 * 100.0 + 1200.0)).abs() < 1e-9);
    let s = run(text, &["sla.target=0.98", "sla.credits=[{ below = 0.98, credit = 0.1 }]"]);
    let a = &s.architectures[0];
    assert_eq!(a.sla_breach_probability.unwrap().mean, Some(0.0));
    assert_eq!(a.sla_credits_per_year.unwrap().mean, Some(0.0));
}

/// A region takes both failover members down in the same instant (the secondary through a
/// dependency): that is no switch-over, so no switch can fail. With `switch_success = 0` a
/// switch attempt would leave the route stuck waiting for the primary; instead the secondary,
/// back first, serves. Everything is fixed, so the answer is exact: region down 10 h → 15 h,
/// primary's own repair keeps it down until 22 h, the route is down only 10 h → 15 h.
#[test]
fn a_common_cause_on_every_member_is_not_a_switch_over() {
    let text = "[simulation]\nhorizon = \"20h\"\nreplications = 2\n\n\
[components.region]\nfailure = \"10h\"\nrepair = \"5h\"\n\n\
[components.link]\nwithin = \"region\"\nfailure = \"1000y\"\nrepair = \"1h\"\n\n\
[components.primary]\nwithin = \"region\"\nfailure = \"12h\"\nrepair = \"10h\"\n\n\
[components.secondary]\nrequires = [\"link\"]\nfailure = \"1000y\"\nrepair = \"1h\"\n\n\
[routes.fo]\nfailover = [\"primary\", \"secondary\"]\nswitch_success = 0.0\n\n\
[traffic.api]\nrate = \"1/s\"\n\n[architectures.one]\napi = [\"fo\"]\n";
    let c = class(&run(text, &[]), "one", "api").clone();
    assert_eq!(c.availability.mean, Some(0.75), "down from 10 h to 15 h of 20 h");
    assert_eq!(c.outages_per_year.mean, Some(8760.0 / 20.0));
}

fn cold_pair(switch_success: f64, reps: u32, seed: u64) -> String {
    format!(
        "{}[crews.ops]\nsize = 1\n\n{}{}[routes.pair]\nfailover = [\"a\", \"b\"]\nstandby = \"cold\"\nswitch_success = {switch_success}\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.cold]\napi = [\"pair\"]\n\n[architectures.single]\napi = [\"a\"]\n",
        simulation(reps, seed),
        exp_component("a", "crew = \"ops\""),
        exp_component("b", "crew = \"ops\""),
    )
}

/// Cold standby with a perfect switch and one crew: states both up / one down / both down, and
/// only the serving unit can fail: (μ² + λμ) / (μ² + λμ + λ²).
#[test]
fn cold_standby_with_one_crew() {
    let s = run(&cold_pair(1.0, 2000, 22), &[]);
    let (l, m) = (LAMBDA, MU);
    let exact = (m * m + l * m) / (m * m + l * m + l * l);
    assert!((exact - 0.99990100).abs() < 1e-8);
    let c = class(&s, "cold", "api");
    assert_covers("cold standby", &c.availability, exact, 2e-5);
    let hot = (m * m + 2.0 * l * m) / (m * m + 2.0 * l * m + 2.0 * l * l);
    assert!(!c.availability.contains(hot), "a cold spare must fail less than a hot one");
    // The same unit `a` used alone in another architecture keeps running as usual: it lives in
    // another world, with the same random numbers.
    assert_covers("a alone", &class(&s, "single", "api").availability, single_availability(), 2e-4);
}

/// Cold standby whose switch-over works with probability c; a failed one leaves the route down
/// until the failed member is repaired: (μ² + cλμ) / (μ² + λμ + cλ²).
#[test]
fn cold_standby_with_imperfect_switch() {
    let c = 0.9;
    let s = run(&cold_pair(c, 2000, 23), &[]);
    let (l, m) = (LAMBDA, MU);
    let exact = (m * m + c * l * m) / (m * m + l * m + c * l * l);
    assert!((exact - 0.99892089).abs() < 1e-8);
    assert_covers("cold standby, switch success 0.9", &class(&s, "cold", "api").availability, exact, 6e-5);
}

/// Mean time to first outage from the all-up state, by simulating each replication until then:
/// two units in `any` with one crew (3λ + μ) / (2λ²) = 51,500 h; a cold pair with a perfect
/// switch (2λ + μ) / λ² = 102,000 h.
#[test]
fn mean_time_to_first_outage() {
    let (l, m) = (LAMBDA, MU);
    let text = format!(
        "{}[crews.ops]\nsize = 1\n\n{}{}[routes.pair]\nany = [\"a\", \"b\"]\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.any]\napi = [\"pair\"]\n",
        simulation(3000, 24),
        exp_component("a", "crew = \"ops\""),
        exp_component("b", "crew = \"ops\""),
    );
    let options = relsim::montecarlo::Options { threads: Some(2), first_outage: true, importance: false, ..Default::default() };
    let s = relsim::simulate_with(&relsim::load_str(&text, &[]).unwrap(), &options).unwrap();
    let exact = (3.0 * l + m) / (2.0 * l * l);
    assert!((exact - 51_500.0).abs() < 1e-6);
    assert_covers("MTTFF, any of two, one crew", &class(&s, "any", "api").time_to_first_outage_hours, exact, 3500.0);
    let s = relsim::simulate_with(&relsim::load_str(&cold_pair(1.0, 3000, 25), &[]).unwrap(), &options).unwrap();
    let exact = (2.0 * l + m) / (l * l);
    assert!((exact - 102_000.0).abs() < 1e-6);
    assert_covers("MTTFF, cold pair", &class(&s, "cold", "api").time_to_first_outage_hours, exact, 7000.0);
    assert_covers("MTTFF, one unit = 1/λ", &class(&s, "single", "api").time_to_first_outage_hours, 1.0 / l, 70.0);
    // Without --first-outage nothing is measured.
    assert_eq!(class(&run(&text, &[]), "any", "api").time_to_first_outage_hours.mean, None);
}

/// Each outage's downtime goes to the component whose failure started it. Series of two
/// different components, with a chain that remembers the cause while the outage lasts.
#[test]
fn downtime_shares_follow_the_failure_that_started_each_outage() {
    let (la, ma, lb, mb) = (0.02, 0.1, 0.01, 0.02);
    // States: 0 up; 1 a down (cause a); 2 a, b down (cause a); 3 b down (cause a);
    // 4 b down (cause b); 5 a, b down (cause b); 6 a down (cause b).
    let pi = steady_state(
        7,
        &[
            (0, 1, la), (0, 4, lb),
            (1, 0, ma), (1, 2, lb), (2, 1, mb), (2, 3, ma), (3, 0, mb), (3, 2, la),
            (4, 0, mb), (4, 5, la), (5, 4, ma), (5, 6, mb), (6, 0, ma), (6, 5, lb),
        ],
    );
    let down: f64 = pi[1..].iter().sum();
    let share_a = (pi[1] + pi[2] + pi[3]) / down;
    let naive = (la / (la + ma)) / ((la / (la + ma)) + (lb / (lb + mb)));
    assert!((share_a - naive).abs() > 0.01, "the chain must differ from the naive split: {share_a} vs {naive}");
    let text = "[simulation]\nhorizon = \"20y\"\nreplications = 1000\nseed = 26\nconfidence = 0.999\n\n\
[components.a]\nfailure = { dist = \"exponential\", rate = \"0.02/h\" }\nrepair = { dist = \"exponential\", rate = \"0.1/h\" }\n\n\
[components.b]\nfailure = { dist = \"exponential\", rate = \"0.01/h\" }\nrepair = { dist = \"exponential\", rate = \"0.02/h\" }\n\n\
[traffic.api]\nrate = \"1/s\"\n\n[architectures.series]\napi = [\"a\", \"b\"]\n";
    let s = run(text, &[]);
    let c = class(&s, "series", "api");
    let share = |name: &str| c.importance.iter().find(|i| i.component == name).unwrap().downtime_share;
    assert_covers("share of a", &share("a"), share_a, 0.01);
    assert!(!share("a").contains(naive), "the interval must tell the chain from the naive split");
    assert_covers("share of b", &share("b"), 1.0 - share_a, 0.02);
    assert!((share("a").mean.unwrap() + share("b").mean.unwrap() - 1.0).abs() < 1e-9, "shares add up to 1");
}

/// A crew serves the components of the architecture being evaluated, not those only another
/// architecture uses: `x-only` must see x repaired at once, as if y did not exist, while `both`
/// waits behind y's repairs.
#[test]
fn a_crew_serves_only_the_architecture_being_evaluated() {
    let text = "[simulation]\nhorizon = \"10y\"\nreplications = 1000\nseed = 27\nconfidence = 0.999\n\n[crews.ops]\nsize = 1\n\n\
[components.x]\ncrew = \"ops\"\nfailure = { dist = \"exponential\", rate = \"0.01/h\" }\nrepair = { dist = \"exponential\", rate = \"0.1/h\" }\n\n\
[components.y]\ncrew = \"ops\"\nfailure = { dist = \"exponential\", rate = \"0.05/h\" }\nrepair = { dist = \"exponential\", rate = \"0.05/h\" }\n\n\
[traffic.api]\nrate = \"1/s\"\n\n[routes.xy]\nany = [\"x\", \"y\"]\n\n[architectures.x-only]\napi = [\"x\"]\n\n[architectures.both]\napi = [\"xy\"]\n";
    let s = run(text, &[]);
    assert_covers("x alone, crew to itself", &class(&s, "x-only", "api").availability, 0.1 / 0.11, 2e-3);
}

/// Paired differences between architectures: one component alone against two in parallel, on
/// the same random histories. Exact: (q − q²) of the year, q = λ/(λ+μ).
#[test]
fn paired_difference_between_architectures_covers_the_exact_gap() {
    let text = format!(
        "{}{}{}[traffic.api]\nrate = \"1/s\"\ncost_per_hour_down = 100\n\n[routes.pair]\nany = [\"a\", \"b\"]\n\n[architectures.one]\napi = [\"a\"]\n\n[architectures.parallel]\napi = [\"pair\"]\n",
        simulation(1000, 21),
        exp_component("a", ""),
        exp_component("b", "")
    );
    let s = run(&text, &[]);
    let q = LAMBDA / (LAMBDA + MU);
    let exact = (q - q * q) * HOURS_PER_YEAR;
    assert_eq!(s.differences.len(), 1);
    let d = &s.differences[0];
    assert_eq!((d.a.as_str(), d.b.as_str()), ("one", "parallel"));
    let diff = &d.downtime_hours_per_year[0].difference;
    assert_covers("downtime one − parallel", diff, exact, 3.0);
    assert_covers("cost one − parallel", &d.cost_per_year, 100.0 * exact, 300.0);
    // Pairing pays: the difference is known better than the two estimates on their own.
    let one = class(&s, "one", "api").downtime_hours_per_year.half_width().unwrap();
    let par = class(&s, "parallel", "api").downtime_hours_per_year.half_width().unwrap();
    let paired = diff.half_width().unwrap();
    assert!(paired < (one * one + par * par).sqrt(), "paired ±{paired} vs unpaired ±{}", (one * one + par * par).sqrt());
}

/// The distributions behind the plots count every replication and every outage once.
#[test]
fn distributions_count_every_replication_and_outage() {
    let text = format!(
        "{}{}[traffic.api]\nrate = \"1/s\"\n\n[architectures.one]\napi = [\"a\"]\n",
        "[simulation]\nhorizon = \"30d\"\nreplications = 400\nseed = 5\n\n",
        exp_component("a", "")
    );
    let model = relsim::load_str(&text, &[]).unwrap();
    let acc = relsim::montecarlo::simulate(&model, 0..400, &Default::default(), &std::sync::atomic::AtomicU64::new(0)).unwrap();
    let s = acc.summarize(&model);
    let d = acc.distributions(&model);
    let cell = d.cell(0, 0);
    let reps: u64 = cell.downtime_hours_per_year.iter().map(|b| b.1).sum();
    assert_eq!(reps, 400);
    // About half of 30-day replications see no failure at λ = 0.001/h (e^-0.72 ≈ 0.49).
    let zero = cell.downtime_hours_per_year.first().filter(|b| b.0 == 0.0).map_or(0, |b| b.1);
    assert!((150..250).contains(&zero), "{zero} replications without downtime");
    let outages: u64 = cell.outage_hours.iter().map(|b| b.1).sum();
    let per_year = s.architectures[0].classes[0].outages_per_year.mean.unwrap();
    assert!((outages as f64 - per_year * 400.0 * 30.0 / 365.0).abs() < 1e-6, "{outages} vs {per_year}/yr");
    // Mean downtime from the bins agrees with the estimate to within the bins' 1 % width.
    let mean: f64 = cell.downtime_hours_per_year.iter().map(|&(v, n)| v * n as f64).sum::<f64>() / 400.0;
    let est = s.architectures[0].classes[0].downtime_hours_per_year.mean.unwrap();
    assert!((mean - est).abs() <= 0.01 * est, "{mean} vs {est}");
    assert!(cell.downtime_hours_per_year.windows(2).all(|w| w[0].0 < w[1].0));
}
