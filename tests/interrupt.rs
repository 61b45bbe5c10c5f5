//! Runs cut short and outputs that cannot be written: a signal stops a long run within a second
//! with the signal's exit code, says what had completed and leaves nothing in the output
//! folder; an output folder or JUnit file that cannot be written fails before any simulation.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn relsim() -> PathBuf {
    assert_cmd::cargo::cargo_bin("relsim")
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

/// What a signalled run did.
struct Stopped {
    code: Option<i32>,
    stderr: String,
    /// From the signal to the end of the process.
    took: Duration,
}

/// Starts relsim with `args`, waits until it has begun simulating (its start line on stderr,
/// then `settle`), sends `signal` and waits for it to end.
fn signal_run(args: &[&str], signal: &str, settle: Duration) -> Stopped {
    let mut child: Child = Command::new(relsim()).args(args).env("NO_COLOR", "1").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // The start line ("relsim: N architectures × ...") comes right before the replications.
    let started = rx.recv_timeout(Duration::from_secs(60)).expect("relsim printed its start line");
    assert!(started.starts_with("relsim: "), "{started}");
    std::thread::sleep(settle);
    assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be interrupted");
    let sent = Instant::now();
    let status = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().expect("kill(1)");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("relsim did not stop within 30 s of {signal}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = sent.elapsed();
    Stopped { code, stderr: reader.join().unwrap(), took }
}

/// Everything in `dir` (which may not exist), temporary files included.
fn entries(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Generous for a shared, busy machine: a quiet one stops in a few milliseconds.
const PROMPT: Duration = Duration::from_secs(3);

#[test]
fn sigterm_stops_a_long_run_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let file = scenario("multicloud.toml");
    let r = signal_run(&["run", file.to_str().unwrap(), "--reps", "1000000", "--out", out.to_str().unwrap()], "TERM", Duration::from_millis(700));
    assert_eq!(r.code, Some(143), "{}", r.stderr);
    assert!(r.took < PROMPT, "took {:?} to stop", r.took);
    assert!(r.stderr.contains("relsim: interrupted by SIGTERM after ") && r.stderr.contains(" of 1000000 replications; nothing written"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    // The folder the run would have created is gone again; nothing partial or temporary.
    assert_eq!(entries(&out), Vec::<String>::new());
    assert_eq!(entries(tmp.path()), Vec::<String>::new());
    println!("stopped {:?} after SIGTERM", r.took);
}

#[test]
fn ctrl_c_stops_a_precision_target_and_an_existing_folder_keeps_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("summary.json"), "{\"from\": \"an earlier run\"}").unwrap();
    let file = scenario("gateway-failover.toml");
    // A half-width no run reaches: batches of replications until the cap.
    let r = signal_run(&["run", file.to_str().unwrap(), "--precision", "1e-9", "--max-reps", "5000000", "--out", out.to_str().unwrap(), "--no-plots"], "INT", Duration::from_millis(700));
    assert_eq!(r.code, Some(130), "{}", r.stderr);
    assert!(r.took < PROMPT, "took {:?} to stop", r.took);
    assert!(r.stderr.contains("relsim: interrupted by SIGINT (Ctrl-C) after "), "{}", r.stderr);
    assert_eq!(entries(&out), vec!["summary.json".to_string()]);
    assert_eq!(std::fs::read_to_string(out.join("summary.json")).unwrap(), "{\"from\": \"an earlier run\"}");
}

#[test]
fn a_signal_stops_even_one_long_replication() {
    // `--first-outage` runs each replication until every class has failed once: `never` does
    // not fail in 10,000 years, while `busy` fails every hour, so one replication is some
    // 10^8 events, seconds of work. The engine looks at the signal every 65,536 events.
    let text = "[simulation]\nhorizon = \"1y\"\nreplications = 4\n\
                [components.busy]\nfailure = { dist = \"exponential\", mean = \"1h\" }\nrepair = { dist = \"exponential\", mean = \"1m\" }\n\
                [components.never]\nfailure = { dist = \"exponential\", mean = \"1000000y\" }\nrepair = \"1h\"\n\
                [traffic.x]\nrate = \"1/s\"\n[traffic.y]\nrate = \"1/s\"\n\
                [architectures.one]\nx = [\"never\"]\ny = [\"busy\"]\n";
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("long.toml");
    std::fs::write(&file, text).unwrap();
    let out = tmp.path().join("out");
    let r = signal_run(&["run", file.to_str().unwrap(), "--first-outage", "--threads", "1", "--out", out.to_str().unwrap()], "TERM", Duration::from_millis(500));
    assert_eq!(r.code, Some(143), "{}", r.stderr);
    assert!(r.took < PROMPT, "took {:?} to stop", r.took);
    assert!(r.stderr.contains("after 0 of 4 replications; nothing written"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn an_output_folder_that_cannot_be_written_fails_before_simulating() {
    let tmp = tempfile::tempdir().unwrap();
    let a_file = tmp.path().join("taken");
    std::fs::write(&a_file, "not a folder").unwrap();
    let file = scenario("single-provider.toml");
    for out in [a_file.clone(), a_file.join("below")] {
        let started = Instant::now();
        let o = Command::new(relsim()).args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]).env("NO_COLOR", "1").output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("nothing was run"), "{stderr}");
        assert!(!stderr.contains("events in"), "it simulated first: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    assert_eq!(std::fs::read_to_string(&a_file).unwrap(), "not a folder");
    // A --junit FILE that is a folder is refused up front too.
    let out = tmp.path().join("out");
    let o = Command::new(relsim())
        .args(["check", scenario("multicloud.toml").to_str().unwrap(), "--out", out.to_str().unwrap(), "--junit", tmp.path().to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is a folder; give a file name") && !stderr.contains("events in"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_finished_run_leaves_no_temporary_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let junit = tmp.path().join("junit.xml");
    let o = Command::new(relsim())
        .args(["check", scenario("multicloud.toml").to_str().unwrap(), "--reps", "20", "--out", out.to_str().unwrap(), "--no-plots", "-q", "--junit", junit.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.code().is_some_and(|c| c == 0 || c == 1), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names = entries(&out);
    names.sort();
    assert_eq!(names, ["notes.txt", "report.html", "report.md", "summary.csv", "summary.json"]);
    let mut top = entries(tmp.path());
    top.sort();
    assert_eq!(top, ["junit.xml", "out"]);
}

#[test]
fn fit_and_replay_write_their_folders_whole_or_not_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let a_file = tmp.path().join("taken");
    std::fs::write(&a_file, "not a folder").unwrap();
    let trace = scenario("traces/claude-2026-03-02.csv");
    let replay = |out: &Path| {
        Command::new(relsim())
            .args(["replay", scenario("claude-2026-03-02.toml").to_str().unwrap(), "--trace", trace.to_str().unwrap(), "--reps", "20", "--no-plots", "--out", out.to_str().unwrap()])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    // A replay checks its output folder before it simulates, as a run does.
    let o = replay(&a_file);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing was run") && !stderr.contains("events in"), "{stderr}");
    // fit: an unusable folder is an error and leaves the file as it was.
    let incidents = tmp.path().join("incidents.csv");
    std::fs::write(&incidents, "component,start,end,observed_from,observed_to\napi,2024-01-02 10:00,2024-01-02 11:00,2024-01-01,2024-02-01\napi,2024-01-09 10:00,2024-01-09 12:30,2024-01-01,2024-02-01\n").unwrap();
    let fit = |out: &Path| Command::new(relsim()).args(["fit", incidents.to_str().unwrap(), "--out", out.to_str().unwrap()]).env("NO_COLOR", "1").output().unwrap();
    let o = fit(&a_file);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(&a_file).unwrap(), "not a folder");
    // Finished, both leave their files and no temporary ones.
    for (out, expect) in [(tmp.path().join("fit"), vec!["fit.json", "fit_api.png", "fit_api.svg"]), (tmp.path().join("replay"), vec!["report.html", "report.md", "summary.csv", "summary.json"])] {
        let o = if expect[0] == "fit.json" { fit(&out) } else { replay(&out) };
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let mut names = entries(&out);
        names.sort();
        assert_eq!(names, expect);
    }
}
