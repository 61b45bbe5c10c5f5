//! Bad input: every error names the file, line and column, says what is wrong and what to
//! write instead; keys of later versions are refused, never silently ignored.

use relsim::compile::load_str;

const GOOD: &str = r#"[simulation]
horizon = "1y"
replications = 10

[components.auth]
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "lognormal", median = "50m", sigma = 1.1 }

[components.provider]
failure = { dist = "weibull", shape = 0.67, scale = "93h" }
repair = { dist = "lognormal", median = "46m", sigma = 1.39 }

[routes.llm]
failover = ["provider"]

[traffic.api]
rate = "100/s"

[architectures.one]
api = ["auth", "llm"]
"#;

/// Loads `text` (with overrides) and returns the rendered errors; panics if it loads.
fn errors(text: &str, sets: &[&str]) -> String {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match load_str("s.toml", "s", text, &sets) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.render(false),
    }
}

/// `GOOD` with `from` replaced by `to`.
fn with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

#[track_caller]
fn assert_has(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "expected {p:?} in:\n{text}");
    }
}

#[test]
fn the_reference_scenario_loads() {
    assert!(load_str("s.toml", "s", GOOD, &[]).is_ok());
}

#[test]
fn unknown_keys_suggest_the_closest_one() {
    let e = errors(&with("failure = { dist = \"exponential\"", "falure = { dist = \"exponential\""), &[]);
    assert_has(&e, &["unknown key `falure`", "s.toml:6:1", "did you mean `failure`?"]);
    let e = errors(&with("[simulation]\n", "[simulaton]\n"), &[]);
    assert_has(&e, &["unknown key `simulaton`", "did you mean `simulation`?", "s.toml:1:2"]);
}

#[test]
fn a_bare_number_is_not_a_duration() {
    let e = errors(&with("horizon = \"1y\"", "horizon = 8760"), &[]);
    assert_has(&e, &["simulation.horizon: a bare number is not a duration", "s.toml:2:11", "\"1.5h\""]);
}

#[test]
fn bad_units_and_rates() {
    let e = errors(&with("mean = \"30d\"", "mean = \"30 fortnights\""), &[]);
    assert_has(&e, &["components.auth.failure.mean", "not a time unit", "s.toml:6"]);
    let e = errors(&with("rate = \"100/s\"", "rate = 100"), &[]);
    assert_has(&e, &["traffic.api.rate: a bare number is not a rate", "\"2000/s\""]);
}

#[test]
fn unknown_distribution_suggests_the_closest_one() {
    let e = errors(&with("dist = \"weibull\"", "dist = \"weibul\""), &[]);
    assert_has(&e, &["components.provider.failure.dist: `weibul` is not allowed here", "did you mean \"weibull\"?", "s.toml:10:20"]);
}

#[test]
fn distribution_parameters_are_checked() {
    let e = errors(&with("shape = 0.67", "shape = -1"), &[]);
    assert_has(&e, &["components.provider.failure.shape: must be greater than 0"]);
    let e = errors(&with("sigma = 1.39 }", "}"), &[]);
    assert_has(&e, &["missing required key `sigma`"]);
    let e = errors(&with("failure = { dist = \"weibull\", shape = 0.67, scale = \"93h\" }", "failure = \"0s\""), &[]);
    assert_has(&e, &["components.provider.failure: a time to failure must have a mean above zero"]);
}

#[test]
fn unknown_names_suggest_the_closest_one() {
    let e = errors(&with("api = [\"auth\", \"llm\"]", "api = [\"auht\", \"llm\"]"), &[]);
    assert_has(&e, &["`auht` is neither a component nor a route", "did you mean `auth`?", "s.toml:20:8"]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\nrequires = [\"provder\"]\n"), &[]);
    assert_has(&e, &["components.auth.requires: no component named `provder`", "did you mean `provider`?"]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\ncrew = \"ops\"\n"), &[]);
    assert_has(&e, &["no crew named `ops`", "[crews.ops]"]);
}

#[test]
fn dependency_and_route_cycles_are_errors() {
    let text = with("[components.auth]\n", "[components.auth]\nrequires = [\"provider\"]\n")
        .replacen("[components.provider]\n", "[components.provider]\nwithin = \"auth\"\n", 1);
    let e = errors(&text, &[]);
    assert_has(&e, &["dependency cycle", "auth", "provider", "acyclic"]);
    let e = errors(&with("failover = [\"provider\"]", "failover = [\"provider\", \"llm\"]"), &[]);
    assert_has(&e, &["route cycle llm -> llm"]);
}

#[test]
fn every_architecture_needs_every_class() {
    let text = GOOD.replace("[traffic.api]\nrate = \"100/s\"\n", "[traffic.api]\nrate = \"100/s\"\n\n[traffic.web]\nrate = \"10/s\"\n");
    let e = errors(&text, &[]);
    assert_has(&e, &["architectures.one: no route for traffic class `web`", "add web = ["]);
    let e = errors(&with("api = [\"auth\", \"llm\"]", "apii = [\"auth\", \"llm\"]"), &[]);
    assert_has(&e, &["`apii` is not a traffic class", "did you mean `api`?"]);
}

#[test]
fn request_level_keys_are_checked() {
    let cases = [
        ("failover = [\"provider\"]", "failover = [\"provider\"]\nbreaker = { window = \"60s\", min_call = 20 }", "did you mean `min_calls`?"),
        ("failover = [\"provider\"]", "failover = [\"provider\"]\nbreaker = { threshold = 0 }", "routes.llm.breaker.threshold: must be above zero"),
        ("failover = [\"provider\"]", "failover = [\"provider\"]\nbreaker = { open_for = 30 }", "routes.llm.breaker.open_for: a bare number is not a duration"),
        ("failover = [\"provider\"]", "failover = [\"provider\"]\nbreaker = { window = \"1.5s\" }", "routes.llm.breaker.window: a breaker's window counts whole seconds"),
        ("failover = [\"provider\"]", "failover = [\"provider\"]\nretries = -1", "routes.llm.retries: -1 is outside [0, 100]"),
        ("failover = [\"provider\"]", "failover = [\"provider\"]\ntimeout = \"0s\"", "routes.llm.timeout: must be longer than zero"),
        ("failover = [\"provider\"]", "failover = [\"provider\"]\nweights = [1]", "only balance routes have `weights`"),
        ("failover = [\"provider\"]", "balance = [\"provider\", \"auth\"]\nweights = [1]", "1 weights for 2 members"),
        ("failover = [\"provider\"]", "failover = [\"provider\"]\nstandby = \"cold\"\nretries = 1", "`standby` belongs to a route-level failover, and `retries` makes this one request-level"),
        ("[components.provider]\n", "[components.provider]\ncapacity = -5\n", "components.provider.capacity: must be above zero"),
        ("[components.provider]\n", "[components.provider]\ndeploys = { every = \"7d\", bad = 1.5, rollback = \"30m\" }\n", "components.provider.deploys.bad: 1.5 is outside [0, 1]"),
        ("[components.provider]\n", "[components.provider]\ndeploys = { every = \"7d\", bad = 0.1, rollback = \"30m\", effect = \"degraded\" }\n", "missing required key `capacity_left`"),
        ("rate = \"100/s\"", "rate = \"100/s\"\nsurges = { every = \"30d\", duration = \"2h\" }", "missing required key `factor`"),
        ("rate = \"100/s\"", "rate = \"100/s\"\ntimeout = 60", "traffic.api.timeout: a bare number is not a duration"),
    ];
    for (from, to, expect) in cases {
        let e = errors(&with(from, to), &[]);
        assert_has(&e, &[expect, "s.toml:"]);
    }
    // Modes replace failure/repair; their effects take the right keys.
    let with_modes = |modes: &str| {
        GOOD.replace(
            "[components.provider]\nfailure = { dist = \"weibull\", shape = 0.67, scale = \"93h\" }\nrepair = { dist = \"lognormal\", median = \"46m\", sigma = 1.39 }\n",
            &format!("[components.provider]\n{modes}"),
        )
    };
    let ok = with_modes("[components.provider.modes.outage]\nfailure = \"30d\"\nrepair = \"1h\"\n[components.provider.modes.slow]\nfailure = \"10d\"\nrepair = \"2h\"\neffect = \"degraded\"\ncapacity_left = 0.3\n[components.provider.modes.wrong]\nfailure = \"60d\"\nrepair = \"6h\"\neffect = \"silent\"\nfraction = 0.05\n");
    let Ok(loaded) = load_str("s.toml", "s", &ok, &[]) else { panic!("modes load") };
    assert_eq!(loaded.model.components[1].processes.len(), 3);
    let e = errors(&with_modes("failure = \"30d\"\n[components.provider.modes.outage]\nfailure = \"30d\"\nrepair = \"1h\"\n"), &[]);
    assert_has(&e, &["give either `failure` or `modes`, not both"]);
    let e = errors(&with_modes("[components.provider.modes.wrong]\nfailure = \"60d\"\nrepair = \"6h\"\neffect = \"silent\"\ncapacity_left = 0.5\n"), &[]);
    assert_has(&e, &["capacity_left: only applies to effect = \"degraded\"", "missing required key `fraction`"]);
    // A hanging component outside any failover needs a deadline.
    let e = errors(&with("[components.auth]\n", "[components.auth]\nfails = \"hang\"\n"), &[]);
    assert_has(&e, &["components.auth: hangs when down", "timeout = \"60s\""]);
    assert!(load_str("s.toml", "s", &with("[components.auth]\n", "[components.auth]\nfails = \"hang\"\n").replace("rate = \"100/s\"", "rate = \"100/s\"\ntimeout = \"30s\""), &[]).is_ok());
    // Inside a failover, the attempt timeout (LiteLLM's 6000 s by default) bounds the wait.
    assert!(load_str("s.toml", "s", &with("[components.provider]\n", "[components.provider]\nfails = \"hang\"\n"), &[]).is_ok());
    // A sweep is checked even by `relsim run` and `relsim validate`, which do not run it.
    let e = errors(&format!("{GOOD}\n[sweep]\n\"components.auth.repair.median\" = \"5m\"\n"), &[]);
    assert_has(&e, &["sweep.\"components.auth.repair.median\" must be a list of values"]);
}

#[test]
fn cold_standby_members_are_private_components() {
    let e = errors(&with("failover = [\"provider\"]", "failover = [\"provider\", \"auth\"]\nstandby = \"cold\""), &[]);
    assert_has(&e, &["`auth` is a cold standby member", "architecture `one` also uses `auth` outside this route", "s.toml:14:25"]);
    let text = with("failover = [\"provider\"]", "failover = [\"provider\"]\nstandby = \"cold\"")
        .replacen("[components.auth]\n", "[components.auth]\nrequires = [\"provider\"]\n", 1);
    let e = errors(&text, &[]);
    assert_has(&e, &["`auth` depends on it in architecture `one`"]);
    let text = GOOD.replace("[routes.llm]\nfailover = [\"provider\"]\n", "[routes.inner]\nall = [\"provider\"]\n\n[routes.llm]\nfailover = [\"inner\"]\nstandby = \"cold\"\n");
    let e = errors(&text, &[]);
    assert_has(&e, &["`inner` is a route; a cold standby's members must be components"]);
}

#[test]
fn syntax_errors_are_located() {
    let e = errors(&with("[traffic.api]", "[traffic.api"), &[]);
    assert_has(&e, &["TOML syntax error", "s.toml:16:13"]);
}

#[test]
fn pools_need_need() {
    let e = errors(&with("[components.auth]\n", "[components.auth]\ncount = 4\n"), &[]);
    assert_has(&e, &["count = 4 without need", "add need = K"]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\ncount = 4\nneed = 5\n"), &[]);
    assert_has(&e, &["need = 5 is more than count = 4"]);
}

#[test]
fn profiles_are_checked() {
    let e = errors(&with("rate = \"100/s\"", "rate = \"100/s\"\nprofile = [1, 1, 1]"), &[]);
    assert_has(&e, &["traffic.api.profile: has 3 values, expected 24"]);
    let twos = vec!["2"; 24].join(", ");
    let e = errors(&with("rate = \"100/s\"", &format!("rate = \"100/s\"\nprofile = [{twos}]")), &[]);
    assert_has(&e, &["average 2.0000, not 1", "divide every value by 2.0000"]);
}

#[test]
fn overrides_are_checked_and_located_in_the_argument() {
    let e = errors(GOOD, &["simulation.replicatons=5"]);
    assert_has(&e, &["unknown key `replicatons`", "--set:1:12", "did you mean `replications`?"]);
    let e = errors(GOOD, &["components.auth.repair.median=30x"]);
    assert_has(&e, &["components.auth.repair.median", "--set:1:31"]);
    let e = errors(GOOD, &["simulation.horizon.years=1"]);
    assert_has(&e, &["is a string, not a table"]);
    let e = errors(GOOD, &["no-equals-sign"]);
    assert_has(&e, &["expected key.path=value"]);
    let ok = load_str("s.toml", "s", GOOD, &["components.auth.repair.median=30m".to_string(), "simulation.replications=200".to_string()]).ok().unwrap();
    assert_eq!(ok.model.replications, 200);
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let text = with("horizon = \"1y\"", "horizon = 1").replace("rate = \"100/s\"", "rate = \"fast\"").replace("sigma = 1.1", "sigma = \"1.1\"");
    let e = errors(&text, &[]);
    assert_has(&e, &["simulation.horizon", "traffic.api.rate", "components.auth.repair.sigma", "remove the quotes: 1.1"]);
}

#[test]
fn missing_sections_say_what_to_add() {
    let e = errors("[simulation]\nhorizon = \"1y\"\n", &[]);
    assert_has(&e, &["missing [components]", "missing [traffic]", "missing [architectures]"]);
    let e = errors(&GOOD.replace("[simulation]\nhorizon = \"1y\"\nreplications = 10\n", ""), &[]);
    assert_has(&e, &["missing required key `simulation`"]);
    let e = errors(&with("replications = 10", "replications = 1"), &[]);
    // A range without an upper bound says "at least", never the largest integer in full.
    assert_has(&e, &["simulation.replications: must be at least 2, found 1", "at least 2 replications"]);
    assert!(!e.contains("9223372036854775807"), "{e}");
}

#[test]
fn sla_and_slo_names_are_resolved() {
    let e = errors(&format!("{GOOD}\n[sla]\ntarget = 0.999\nclass = \"apj\"\n"), &[]);
    assert_has(&e, &["sla.class: `apj` is not a traffic class", "did you mean `api`?"]);
    let e = errors(&format!("{GOOD}\n[[slo]]\narchitecture = \"one\"\nclass = \"api\"\nmetric = \"availabilty\"\nmin = 0.99\n"), &[]);
    assert_has(&e, &["`availabilty` is not a metric", "did you mean `availability`?"]);
    let e = errors(&format!("{GOOD}\n[sla]\ntarget = 0.999\nperiod = \"year\"\n"), &["simulation.horizon=30d"]);
    assert_has(&e, &["shorter than one SLA period"]);
}

#[test]
fn warnings_do_not_stop_a_run() {
    let text = format!("{GOOD}\n[components.unused]\nfailure = \"30d\"\nrepair = \"1h\"\ngrace = \"5m\"\n");
    let loaded = load_str("s.toml", "s", &text, &[]).ok().unwrap();
    let rendered = relsim::diagnostic::render(&loaded.sources, &loaded.warnings, false);
    assert!(rendered.contains("components.unused: not used by any architecture"), "{rendered}");
    assert!(rendered.contains("has no effect"), "{rendered}");
    // A capacity on a component that requests never pass through (only `requires`) is ignored,
    // and says so.
    let text = with("[components.auth]\n", "[components.auth]\nrequires = [\"pool\"]\n") + "\n[components.pool]\ncapacity = 50\nfailure = \"30d\"\nrepair = \"1h\"\n";
    let loaded = load_str("s.toml", "s", &text, &[]).ok().unwrap();
    let rendered = relsim::diagnostic::render(&loaded.sources, &loaded.warnings, false);
    assert!(rendered.contains("components.pool: its capacity has no effect: no route sends requests to it"), "{rendered}");
}

#[test]
fn absurd_sizes_are_errors_not_crashes() {
    // One rule for horizons too long to simulate, whether or not they fit in a number.
    for horizon in ["1e308y", "1e300y", "2000000y"] {
        let e = errors(&with("horizon = \"1y\"", &format!("horizon = \"{horizon}\"")), &[]);
        assert_has(&e, &["simulation.horizon: longer than relsim can simulate (at most 100000 years", "s.toml:2:11"]);
    }
    // A long horizon with many architectures: months to track for each of them.
    let many: String = (0..10).map(|i| format!("\n[architectures.a{i}]\napi = [\"auth\"]\n")).collect();
    let e = errors(&format!("{GOOD}{many}\n[sla]\ntarget = 0.999\n"), &["simulation.horizon=90000y"]);
    assert_has(&e, &["needs too much memory"]);
    // A dependency chain far deeper than any call stack would allow.
    let mut text = GOOD.to_string();
    for i in 0..20_000 {
        text.push_str(&format!("\n[components.c{i}]\nfailure = \"30d\"\nrepair = \"1h\"\nrequires = [\"c{}\"]\n", (i + 1) % 20_000));
    }
    let e = errors(&text, &[]);
    assert_has(&e, &["dependency cycle"]);
}

#[test]
fn bad_costs_are_located_errors() {
    // Money per period is written like a rate: a number, a slash, a period.
    let e = errors(&with("[components.auth]\n", "[components.auth]\nrunning_cost = 1200\n"), &[]);
    assert_has(&e, &["components.auth.running_cost: a bare number is not money per period", "s.toml:6:16", "running_cost = \"1200/month\""]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\nrunning_cost = \"1200\"\n"), &[]);
    assert_has(&e, &["components.auth.running_cost: `1200` has no period", "s.toml:6", "\"1200/month\""]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\nrunning_cost = \"1200/fortnight\"\n"), &[]);
    assert_has(&e, &["`fortnight` is not a period", "h, d, w, month, y"]);
    // `m` is minutes everywhere else in the format, so it is refused here rather than guessed.
    let e = errors(&with("[components.auth]\n", "[components.auth]\nrunning_cost = \"1200/m\"\n"), &[]);
    assert_has(&e, &["`m` means minutes", "\"1200/month\""]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\nrunning_cost = \"-5/month\"\n"), &[]);
    assert_has(&e, &["components.auth.running_cost: `-5/month` is negative", "s.toml:6"]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\ncost_per_request = -0.001\n"), &[]);
    assert_has(&e, &["components.auth.cost_per_request: must not be negative, found -0.001", "s.toml:6:20", "cost_per_request = 0.002"]);
    let e = errors(&with("[components.auth]\n", "[components.auth]\ncost_per_request = \"0.002\"\n"), &[]);
    assert_has(&e, &["components.auth.cost_per_request: expected a number", "remove the quotes: 0.002"]);
    let e = errors(&with("api = [\"auth\", \"llm\"]", "api = [\"auth\", \"llm\"]\nrunning_cost = \"1e400/y\""), &[]);
    assert_has(&e, &["architectures.one.running_cost", "is not a finite amount"]);
    let e = errors(&with("api = [\"auth\", \"llm\"]", "api = [\"auth\", \"llm\"]\nrunning_cost = { per_year = 100 }"), &[]);
    assert_has(&e, &["architectures.one.running_cost: expected money per period", "\"1200/month\""]);
    // Every mistake at once, each at its place.
    let text = with("[components.auth]\n", "[components.auth]\nrunning_cost = \"5/parsec\"\ncost_per_request = -1\n");
    let e = errors(&text, &[]);
    assert_has(&e, &["s.toml:6:16", "`parsec` is not a period", "s.toml:7:20", "cost_per_request: must not be negative, found -1"]);
}

#[test]
fn a_price_no_request_pays_is_a_warning() {
    // `store` is needed by `auth` (`requires`), but no route sends requests to it: its price per
    // request can never be charged. Its running cost is charged (it runs for the architecture).
    let text = with("[components.auth]\n", "[components.auth]\nrequires = [\"store\"]\n") + "\n[components.store]\nrunning_cost = \"100/month\"\ncost_per_request = 0.01\nfailure = \"30d\"\nrepair = \"1h\"\n";
    let loaded = load_str("s.toml", "s", &text, &[]).ok().unwrap();
    let rendered = relsim::diagnostic::render(&loaded.sources, &loaded.warnings, false);
    assert!(rendered.contains("components.store: its cost_per_request is never charged: no route sends requests to it"), "{rendered}");
    assert!(rendered.contains("s.toml:") && rendered.contains("cost_per_request = 0.01"), "{rendered}");
    assert!(!rendered.contains("running_cost"), "a running cost on a dependency is paid, not warned about: {rendered}");
    assert_eq!(loaded.model.costs.running[loaded.model.components.iter().position(|c| c.name == "store").unwrap()], 1200.0);
}
