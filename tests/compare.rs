//! `quorumscope compare` as a user runs it: the failure-detection trade-off curve, one row per
//! swept value, the same table whatever the thread count, and clear messages for bad input.

use std::process::Command;

/// Runs `quorumscope compare ARGS`: (exit status, stdout, stderr).
fn compare(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quorumscope"))
        .arg("compare")
        .args(args)
        .output()
        .expect("binary runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8 output");
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

/// The φ detector swept over thresholds on a jittery network (10–60 ms one way, heartbeats
/// every 100 ms): few seeds and short runs, so the test takes a second.
const SWEEP: &[&str] = &[
    "--protocol",
    "failover",
    "--param",
    "detector=phi",
    "--sweep",
    "threshold=1,2,4,8,12",
    "--seeds",
    "3",
    "--until",
    "3m",
    "--latency",
    "10-60",
];

/// A figure of a JSON row by name.
fn figure<'a>(row: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    (row["figures"].as_array().expect("figures"))
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no figure '{name}' in {row}"))
}

#[test]
fn a_higher_phi_threshold_detects_crashes_later_and_suspects_live_nodes_less() {
    let (code, out, err) = compare(&[SWEEP, &["--json"]].concat());
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["sweep"], "threshold");
    let rows = v["rows"].as_array().expect("rows");
    let values: Vec<&str> = rows.iter().map(|r| r["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["1", "2", "4", "8", "12"], "one row per threshold");
    let detection: Vec<f64> = (rows.iter())
        .map(|r| figure(r, "crash detection")["mean_ms"].as_f64().unwrap())
        .collect();
    let false_rate: Vec<f64> = (rows.iter())
        .map(|r| figure(r, "false suspicions")["per_hour"].as_f64().unwrap())
        .collect();
    for row in rows {
        assert_eq!(row["runs"], 3, "{row}");
        assert!(row["crashes"].as_u64().unwrap() >= 3, "{row}");
        assert!(
            figure(row, "crash detection")["count"].as_u64().unwrap() >= 3,
            "{row}"
        );
        assert_eq!(row["violated_runs"], 0, "{row}");
    }
    assert!(
        detection.windows(2).all(|w| w[0] < w[1]),
        "detection time grows with the threshold: {detection:?}"
    );
    assert!(
        false_rate.windows(2).all(|w| w[0] >= w[1]),
        "false suspicions do not grow with the threshold: {false_rate:?}"
    );
    assert!(
        false_rate[0] > 100.0 && false_rate[4] < false_rate[0],
        "a threshold of 1 mistakes jitter for crashes: {false_rate:?}"
    );
}

#[test]
fn the_table_has_a_row_per_value_and_does_not_depend_on_the_threads() {
    let (code, one, err) = compare(&[SWEEP, &["--threads", "1"]].concat());
    assert_eq!(code, 0, "{one}{err}");
    let (_, three, _) = compare(&[SWEEP, &["--threads", "3"]].concat());
    assert_eq!(one, three, "the same arguments give the same table");
    let lines: Vec<&str> = one.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("threshold "))
        .unwrap_or_else(|| panic!("a header line:\n{one}"));
    for column in ["crash detection ms", "false suspicions /h", "p99 ms"] {
        assert!(lines[header].contains(column), "{}", lines[header]);
    }
    let rows: Vec<&str> = lines[header + 1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(rows, ["1", "2", "4", "8", "12"], "{one}");

    // A named choice alone sweeps all its choices, and one seed alone is a comparison too.
    let (code, out, err) = compare(&[
        "--protocol",
        "failover",
        "--sweep",
        "detector",
        "--seed",
        "5",
        "--until",
        "2m",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 seed (5 to 5)"), "{out}");
    let firsts: Vec<&str> = (out.lines().skip_while(|l| !l.starts_with("detector ")))
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(firsts, ["timeout", "phi"], "{out}");
}

#[test]
fn bad_compare_input_gets_a_clear_message_and_exit_code_2() {
    let failover = ["--protocol", "failover", "--until", "1m", "--seeds", "1"];
    for (args, expected) in [
        (
            vec!["--sweep", "treshold=1,2"],
            "has no parameter 'treshold' (parameters: replication, fencing, failback, detector, phi_model, threshold, timeout",
        ),
        (
            vec!["--sweep", "threshold=1,0"],
            "φ threshold is from 1 to 50",
        ),
        (
            vec!["--sweep", "threshold"],
            "--sweep threshold needs its values",
        ),
        (vec!["--sweep", "detector=phi,fancy"], "one of timeout, phi"),
        (
            vec!["--sweep", "threshold=1,2", "--param", "threshold=4"],
            "set the same parameter",
        ),
        (
            vec!["--sweep", "detector=timeout,phi", "--param", "timeout=50"],
            "detector=timeout: the timeout (50 ms) must be longer than the heartbeat interval",
        ),
        (vec!["--latency", "60-10"], "above the maximum"),
        (vec!["--latency", "fast"], "--latency expects MIN-MAX"),
        (vec!["--seed", "3"], "--seed runs one seed"),
    ] {
        let (code, out, err) = compare(&[&failover[..], &args].concat());
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(err.contains("quorumscope compare --help"), "{err}");
        assert!(out.is_empty(), "{args:?}: nothing on stdout: {out}");
    }
    let (code, _, err) = compare(&["--protocol", "nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown protocol 'nope' (available: raft"),
        "{err}"
    );
    let (code, _, err) = compare(&["--seeds", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--seeds must be at least 1"), "{err}");
    let (code, out, _) = compare(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--sweep KEY=V1") && out.contains("--latency MIN-MAX"),
        "{out}"
    );
}

#[test]
fn a_run_that_breaks_an_invariant_is_counted_and_listed_with_a_replay_command() {
    // Asynchronous replication, the deliberate bug: a primary that crashes right after
    // acknowledging a write takes it with it.
    let (code, out, err) = compare(&[
        "--protocol",
        "failover",
        "--param",
        "replication=async",
        "--seed",
        "1",
        "--until",
        "3m",
        "--latency",
        "10-60",
    ]);
    assert_eq!(code, 1, "exit 1 when a run broke an invariant: {out}{err}");
    assert!(out.contains("runs violated"), "a column counts them: {out}");
    assert!(
        out.contains("1 of 1 runs broke an invariant") && out.contains("seed 1 at "),
        "{out}"
    );
    let link = out
        .split("quorumscope run --link '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("a replay command: {out}"));
    let replay = Command::new(env!("CARGO_BIN_EXE_quorumscope"))
        .args(["run", "--link", link])
        .output()
        .expect("binary runs");
    let text = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(1), "{text}");
    assert!(text.contains("VIOLATED  Durability"), "{text}");
}
