//! The page's trade-off panel measures what `quorumscope compare` prints: the same sweep over
//! the same seeds, duration, latency and parameters, run a slice of virtual time at a time on
//! one thread (as the page does between frames), gives the command line's numbers.

use std::process::Command;

use quorumscope::comparison::Measurement;
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::{Measure, SEC};
use quorumscope::tradeoff;

/// The page's measurement of the scenario of `link`, stepped in slices of `slice`.
fn in_the_page(link: &str, slice: u64) -> (tradeoff::Plan, quorumscope::comparison::Comparison) {
    let scenario = Scenario::parse_link(link).expect("a link");
    let info = protocols::info(&scenario.protocol).unwrap();
    let plan = tradeoff::plan(&info, &scenario).expect("failover declares a trade-off");
    let mut m: Measurement = plan.start(&scenario).expect("accepted");
    let mut steps = 0;
    while !m.step(slice) {
        steps += 1;
    }
    assert!(
        steps as u64 > plan.until / slice,
        "worked in slices: {steps}"
    );
    (plan, m.finish())
}

fn cli_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_quorumscope"))
        .arg("compare")
        .args(args)
        .arg("--json")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// The same number, but for the last digit JSON's text form may round.
fn close(json: Option<f64>, mine: Option<f64>, what: &str) {
    match (json, mine) {
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: {a} ≠ {b}"
        ),
        (a, b) => assert_eq!(a, b, "{what}"),
    }
}

/// Checks every row and figure of the page's comparison against the command line's JSON.
fn same_numbers(page: &quorumscope::comparison::Comparison, cli: &serde_json::Value) {
    let rows = cli["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), page.rows.len());
    for (mine, theirs) in page.rows.iter().zip(rows) {
        assert_eq!(theirs["value"], mine.value.as_str());
        assert_eq!(theirs["runs"], mine.runs);
        assert_eq!(theirs["crashes"], mine.crashes);
        assert_eq!(theirs["events"], mine.events);
        assert_eq!(theirs["violated_runs"], mine.violated_runs);
        let figures = theirs["figures"].as_array().unwrap();
        assert_eq!(figures.len(), mine.figures.len());
        for (f, j) in mine.figures.iter().zip(figures) {
            assert_eq!(j["name"], f.name);
            match f.measure {
                Measure::Count(n) => {
                    assert_eq!(j["count"], n);
                    close(j["per_hour"].as_f64(), mine.per_hour(f), f.name);
                }
                Measure::Durations { count, .. } => {
                    assert_eq!(j["count"], count);
                    let mean = f.measure.mean().map(|m| m as f64 / 1000.0);
                    close(j["mean_ms"].as_f64(), mean, f.name);
                }
            }
        }
    }
}

#[test]
fn the_page_measures_the_phi_trade_off_as_the_command_line_does() {
    let (plan, page) = in_the_page("protocol=failover&seed=5&lat=10-60", 7 * SEC);
    assert_eq!(page.key, Some("threshold"));
    let cli = cli_json(&[
        "--protocol",
        "failover",
        "--param",
        "detector=phi",
        "--sweep",
        "threshold=1,2,4,8,12",
        "--first-seed",
        "5",
        "--seeds",
        "3",
        "--until",
        "3m",
        "--latency",
        "10-60",
    ]);
    assert_eq!(plan.until, 180 * SEC);
    same_numbers(&page, &cli);
    let detection: Vec<f64> = (plan.charts(&page)[0].ys.iter())
        .map(|y| y.expect("crashes detected"))
        .collect();
    assert!(
        detection.windows(2).all(|w| w[0] < w[1]),
        "detection time grows with the threshold: {detection:?}"
    );
}

#[test]
fn the_page_measures_the_timeout_trade_off_as_the_command_line_does() {
    let (_, page) = in_the_page(
        "protocol=failover&seed=2&detector=timeout&heartbeat=50&clients=1",
        SEC,
    );
    let cli = cli_json(&[
        "--protocol",
        "failover",
        "--param",
        "detector=timeout",
        "--param",
        "heartbeat=50",
        "--param",
        "clients=1",
        "--sweep",
        "timeout=150,200,300,500",
        "--first-seed",
        "2",
        "--seeds",
        "3",
        "--until",
        "3m",
    ]);
    same_numbers(&page, &cli);
}

#[test]
fn the_command_the_panel_shows_gives_the_same_numbers() {
    // Settings no flag but --link carries: message loss and chaos mode.
    let link = "protocol=failover&seed=9&nodes=4&lat=5-40&loss=1&chaos=0.01&detector=timeout&clients=3&rate=8";
    let (plan, page) = in_the_page(link, 5 * SEC);
    let scenario = Scenario::parse_link(link).unwrap();
    let args = plan.cli_args(&scenario);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    same_numbers(&page, &cli_json(&args));
}
