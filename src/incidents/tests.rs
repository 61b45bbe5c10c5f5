//! The reader on small files written here: both layouts, windows, clipping, censoring, merging,
//! and every malformed case with its location.

use super::*;

/// 2024-01-01T00:00:00Z: 19,723 days after the epoch.
const JAN1: f64 = 19_723.0 * 86_400.0;
const H: f64 = 3_600.0;

fn long(text: &str) -> Result<IncidentLog, InputError> {
    read_str("inc.csv", text, &ReadOptions::default())
}

fn with(text: &str, options: ReadOptions) -> Result<IncidentLog, InputError> {
    read_str("inc.csv", text, &options)
}

fn window(w: &str) -> ReadOptions {
    ReadOptions { window: Some(w.to_string()), ..Default::default() }
}

/// The rendered errors of a file that must not read.
#[track_caller]
fn errors(r: Result<IncidentLog, InputError>) -> String {
    match r {
        Ok(log) => panic!("expected an error, read {log:?}"),
        Err(e) => e.render(false),
    }
}

#[test]
fn long_layout_with_window_columns_censoring_and_impacts() {
    let text = "component,start,end,impact,observed_from,observed_to\n\
                api,2024-01-01 10:00,2024-01-01 12:00,major,2024-01-01,2024-01-02\n\
                api,2024-01-01T20:00:00Z,,minor,,\n\
                login,,,,2024-01-01,2024-01-03\n";
    let log = long(text).unwrap();
    assert!(log.warnings.is_empty(), "{:?}", log.warnings);
    assert_eq!(log.components.len(), 2);
    let api = &log.components[0];
    assert_eq!(api.name, "api");
    assert_eq!(api.window, (JAN1, JAN1 + 24.0 * H));
    assert_eq!(api.incidents.len(), 2);
    assert_eq!(api.incidents[0], Incident { start: JAN1 + 10.0 * H, end: Some(JAN1 + 12.0 * H), impact: Some("major".into()), lines: vec![2], clipped_start: false });
    // Still going on at the window's end: right-censored, 4 h seen.
    assert_eq!(api.incidents[1].end, None);
    assert_eq!(api.incidents[1].down_time(api.window.1), 4.0 * H);
    // A component watched for two days without an incident.
    assert_eq!(log.components[1].name, "login");
    assert_eq!(log.components[1].window, (JAN1, JAN1 + 48.0 * H));
    assert!(log.components[1].incidents.is_empty());
}

#[test]
fn overlapping_and_touching_incidents_merge_and_are_counted() {
    // 10:00-12:00 and 11:00-13:00 overlap; 13:00-14:00 touches; 13:30-13:30 lies inside;
    // 15:00-15:00 is a zero-length incident of its own.
    let text = "component,start,end,impact\n\
                api,2024-01-01 11:00,2024-01-01 13:00,critical\n\
                api,2024-01-01 10:00,2024-01-01 12:00,minor\n\
                api,2024-01-01 13:00,2024-01-01 14:00,minor\n\
                api,2024-01-01 13:30,2024-01-01 13:30,\n\
                api,2024-01-01 15:00,2024-01-01 15:00,none\n";
    let log = with(text, window("2024-01-01..2024-01-02")).unwrap();
    let api = &log.components[0];
    assert_eq!(api.merged, 3);
    assert_eq!(api.incidents.len(), 2);
    assert_eq!(api.incidents[0], Incident { start: JAN1 + 10.0 * H, end: Some(JAN1 + 14.0 * H), impact: Some("critical".into()), lines: vec![2, 3, 4, 5], clipped_start: false });
    assert_eq!(api.incidents[1].start, JAN1 + 15.0 * H);
    assert_eq!(api.incidents[1].end, Some(JAN1 + 15.0 * H));
    assert_eq!(api.zero_length(), 1);
}

#[test]
fn incidents_are_clipped_to_the_window_and_those_outside_counted() {
    let text = "component,start,end\n\
                api,2023-12-31 23:00,2024-01-01 01:00\n\
                api,2024-01-01 23:00,2024-01-02 02:00\n\
                api,2023-12-30 00:00,2023-12-30 01:00\n\
                api,2024-01-03 00:00,\n";
    let log = with(text, window("2024-01-01..2024-01-02")).unwrap();
    let api = &log.components[0];
    assert_eq!(api.outside, 2);
    assert_eq!(api.incidents.len(), 2);
    assert_eq!(api.incidents[0], Incident { start: JAN1, end: Some(JAN1 + H), impact: None, lines: vec![2], clipped_start: true });
    assert_eq!(api.incidents[1], Incident { start: JAN1 + 23.0 * H, end: None, impact: None, lines: vec![3], clipped_start: false });
    assert!(log.warnings.iter().any(|w| w.contains("2 incidents lie wholly outside")), "{:?}", log.warnings);
}

#[test]
fn without_a_window_the_span_of_the_incidents_is_used_and_said() {
    let text = "component,start,end\napi,2024-01-01 10:00,2024-01-01 11:00\napi,2024-01-01 20:00,2024-01-01 22:00\n";
    let log = long(text).unwrap();
    assert_eq!(log.components[0].window, (JAN1 + 10.0 * H, JAN1 + 22.0 * H));
    assert!(log.warnings.iter().any(|w| w.contains("no observation window start for api") && w.contains("--window START..")), "{:?}", log.warnings);
    assert!(log.warnings.iter().any(|w| w.contains("no observation window end for api") && w.contains("--window ..END")), "{:?}", log.warnings);
    // Half a window: the other end from the span.
    let log = with(text, window("2024-01-01..")).unwrap();
    assert_eq!(log.components[0].window, (JAN1, JAN1 + 22.0 * H));
    assert_eq!(log.warnings.len(), 1, "{:?}", log.warnings);
    assert!(log.warnings[0].contains("no observation window end"), "{:?}", log.warnings);
}

#[test]
fn the_command_line_window_overrides_the_columns() {
    let text = "component,start,end,observed_from,observed_to\napi,2024-01-01 10:00,2024-01-01 11:00,2023-01-01,2025-01-01\n";
    let log = with(text, window("2024-01-01..2024-01-02")).unwrap();
    assert_eq!(log.components[0].window, (JAN1, JAN1 + 24.0 * H));
}

/// The ICPE'25 layout, cut down: incident 2 has only a resolved time (zero length), incident 3
/// affects both services, incident 4 affects neither.
const WIDE: &str = "incident_id,Incident_Title,incident_impact_level,API,api.anthropic.com,investigating_timestamp,identified_timestamp,resolved_timestamp\n\
a1,\"Elevated errors, API\",2,1,0,2024-01-01 10:00:00+00:00,2024-01-01 10:20:00+00:00,2024-01-01 11:00:00+00:00\n\
a2,Blip,0,1,0,,,2024-01-01 15:00:00+00:00\n\
a3,Both,3,1,1,,2024-01-01 18:00:00+00:00,\n\
a4,ChatGPT only,1,0,0,bad time,,\n";

fn wide_options(services: &str) -> ReadOptions {
    ReadOptions {
        window: Some("2024-01-01..2024-01-02".into()),
        wide: Some(WideMapping {
            services: services.split(',').map(String::from).collect(),
            start: vec!["investigating_timestamp".into(), "identified_timestamp".into(), "resolved_timestamp".into()],
            end: "resolved_timestamp".into(),
            impact: None,
        }),
        impacts: None,
    }
}

#[test]
fn wide_layout_reads_services_first_start_column_and_impact_levels() {
    let log = with(WIDE, wide_options("API,api.anthropic.com")).unwrap();
    assert_eq!(log.components.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["API", "api.anthropic.com"]);
    let api = &log.components[0];
    assert_eq!(api.incidents.len(), 3);
    assert_eq!(api.incidents[0], Incident { start: JAN1 + 10.0 * H, end: Some(JAN1 + 11.0 * H), impact: Some("major".into()), lines: vec![2], clipped_start: false });
    assert_eq!((api.incidents[1].start, api.incidents[1].end), (JAN1 + 15.0 * H, Some(JAN1 + 15.0 * H)));
    assert_eq!(api.incidents[1].impact.as_deref(), Some("none"));
    assert_eq!(api.incidents[2], Incident { start: JAN1 + 18.0 * H, end: None, impact: Some("critical".into()), lines: vec![4], clipped_start: false });
    let anthropic = &log.components[1];
    assert_eq!(anthropic.incidents.len(), 1);
    assert_eq!(anthropic.incidents[0].start, JAN1 + 18.0 * H);
}

#[test]
fn the_impact_filter_keeps_what_is_asked_and_says_what_it_left_out() {
    let mut o = wide_options("API");
    o.impacts = Some(vec!["Major".into(), "critical".into(), "majr".into()]);
    let log = with(WIDE, o).unwrap();
    assert_eq!(log.components[0].incidents.len(), 2);
    assert!(log.warnings.iter().any(|w| w.contains("kept 2 of 3 incidents")), "{:?}", log.warnings);
    assert!(log.warnings.iter().any(|w| w.contains("no incident has the impact `majr`") && w.contains("none, major, critical") || w.contains("`majr`")), "{:?}", log.warnings);
}

#[test]
fn crlf_and_a_byte_order_mark_read_the_same() {
    let text = "\u{feff}component,start,end\r\napi,2024-01-01 10:00,2024-01-01 11:00\r\n";
    let log = with(text, window("2024-01-01..2024-01-02")).unwrap();
    assert_eq!(log.components[0].incidents[0].end, Some(JAN1 + 11.0 * H));
}

// ---- Malformed files: each an error at its line and column, with a hint. --------------------

#[test]
fn an_unreadable_time_is_located_at_its_cell() {
    let text = "component,start,end\napi,2024-01-01 10:00,2024-01-01 11:00\napi,2024-13-01 10:00,2024-01-01 11:00\n";
    let e = errors(long(text));
    assert!(e.contains("inc.csv:3:5") && e.contains("start: `2024-13-01 10:00` is not a time") && e.contains("help: write 2024-02-26T17:09:00Z"), "{e}");
}

#[test]
fn an_end_before_its_start_is_an_error_at_the_end() {
    let e = errors(long("component,start,end\napi,2024-01-01 10:00,2024-01-01 09:00\n"));
    assert!(e.contains("inc.csv:2:22") && e.contains("ends (2024-01-01T09:00:00Z) before it starts"), "{e}");
}

#[test]
fn a_missing_column_is_an_error_at_the_header_with_a_suggestion() {
    let e = errors(long("component,strat,end\napi,2024-01-01 10:00,2024-01-01 11:00\n"));
    assert!(e.contains("inc.csv:1:1") && e.contains("no `start` column") && e.contains("did you mean `strat`?"), "{e}");
}

#[test]
fn a_row_with_too_few_values_is_an_error_at_the_row() {
    let e = errors(long("component,start,end\napi,2024-01-01 10:00,2024-01-01 11:00\napi,2024-01-01 12:00\n"));
    assert!(e.contains("inc.csv:3:1") && e.contains("2 values but the header has 3 columns"), "{e}");
}

#[test]
fn every_bad_row_is_reported_not_only_the_first() {
    let e = errors(long("component,start,end\n,2024-01-01 10:00,2024-01-01 11:00\napi,,2024-01-01 11:00\napi,2024-01-01,yesterday\n"));
    assert!(e.contains("inc.csv:2:1") && e.contains("the component is empty"), "{e}");
    assert!(e.contains("inc.csv:3:5") && e.contains("the start is empty but the end is not"), "{e}");
    assert!(e.contains("inc.csv:4:16") && e.contains("end: `yesterday` is not a time"), "{e}");
}

#[test]
fn an_open_incident_needs_a_window_end() {
    let e = errors(long("component,start,end\napi,2024-01-01 10:00,\n"));
    assert!(e.contains("inc.csv:2:22") && e.contains("still going on") && e.contains("--window START..END"), "{e}");
}

#[test]
fn a_component_with_two_windows_is_an_error() {
    let text = "component,start,end,observed_from\napi,2024-01-01 10:00,2024-01-01 11:00,2024-01-01\napi,2024-01-01 12:00,2024-01-01 13:00,2023-06-01\n";
    let e = errors(with(text, ReadOptions::default()));
    assert!(e.contains("inc.csv:3:39") && e.contains("observed_from differs"), "{e}");
}

#[test]
fn a_bad_window_option_is_located_in_the_option() {
    let e = errors(with("component,start,end\n", window("2024-01-01..2024-02-31")));
    assert!(e.contains("--window:1:13") && e.contains("not a time"), "{e}");
    let e = errors(with("component,start,end\n", window("2024-01-01")));
    assert!(e.contains("START..END"), "{e}");
}

#[test]
fn wide_layout_errors_point_at_the_option_or_the_cell() {
    let e = errors(with(WIDE, wide_options("API,api.anthropc.com")));
    assert!(e.contains("--services:1:5") && e.contains("no column `api.anthropc.com`") && e.contains("did you mean `api.anthropic.com`?"), "{e}");
    let bad_flag = WIDE.replace("a2,Blip,0,1,0", "a2,Blip,0,maybe,0");
    let e = errors(with(&bad_flag, wide_options("API")));
    assert!(e.contains("inc.csv:3:11") && e.contains("API: `maybe` is not 0 or 1"), "{e}");
    let no_start = WIDE.replace("a2,Blip,0,1,0,,,2024-01-01 15:00:00+00:00", "a2,Blip,0,1,0,,,");
    let e = errors(with(&no_start, wide_options("API")));
    assert!(e.contains("inc.csv:3:15") && e.contains("no start time"), "{e}");
    let mut o = wide_options("API");
    o.wide.as_mut().unwrap().start.clear();
    assert!(errors(with(WIDE, o)).contains("the wide layout needs --start"));
}

#[test]
fn an_empty_file_and_a_missing_file_say_so() {
    assert!(errors(long("")).contains("no header row"));
    let e = read(Path::new("/nonexistent/incidents.csv"), &ReadOptions::default()).unwrap_err().render(false);
    assert!(e.contains("cannot read the incident file /nonexistent/incidents.csv"), "{e}");
    let dir = std::env::temp_dir().join(format!("relsim-incidents-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = dir.join("latin1.csv");
    std::fs::write(&latin1, b"component,start,end\ncaf\xe9,2024-01-01,2024-01-02\n").unwrap();
    let e = read(&latin1, &ReadOptions::default()).unwrap_err().render(false);
    assert!(e.contains("is not UTF-8") && e.contains("offset 23"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
