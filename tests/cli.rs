//! The command-line tool as a user runs it: byte-identical traces, link replay, fuzz exit codes,
//! and clear messages for bad input.

use std::process::Command;

fn qs(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quorumscope"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("qs-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

#[test]
fn run_twice_gives_byte_identical_traces_in_the_documented_shape() {
    let (a, b) = (tmp("a.jsonl"), tmp("b.jsonl"));
    for path in [&a, &b] {
        let (code, out, err) = qs(&[
            "run",
            "--protocol",
            "raft",
            "--nodes",
            "5",
            "--seed",
            "42",
            "--until",
            "5s",
            "--faults",
            "random",
            "--trace",
            path,
        ]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("Raft · 5 nodes · seed 42"), "{out}");
    }
    let (ta, tb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(ta, tb, "same seed and actions must give the same bytes");
    let text = String::from_utf8(ta).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
        assert!(v["t"].is_u64(), "{line}");
        kinds.insert(
            v["kind"]
                .as_str()
                .expect("every line has a kind")
                .to_string(),
        );
        match v["kind"].as_str().unwrap() {
            "role" => {
                assert!(
                    ["follower", "candidate", "leader"].contains(&v["role"].as_str().unwrap()),
                    "{line}"
                );
                assert!(
                    v["node"].as_u64().unwrap() >= 1 && v["term"].is_u64(),
                    "{line}"
                );
            }
            "commit" => assert!(
                v["index"].is_u64() && v["term"].is_u64() && v["command"].is_u64(),
                "{line}"
            ),
            "send" | "deliver" | "drop" => {
                assert!(
                    v["id"].is_u64()
                        && v["from"].is_u64()
                        && v["to"].is_u64()
                        && v["msg"].is_object(),
                    "{line}"
                )
            }
            "crash" | "restart" => assert!(v["node"].as_u64().unwrap() >= 1, "{line}"),
            _ => {}
        }
    }
    for k in [
        "scenario", "role", "commit", "send", "deliver", "drop", "crash", "restart", "action",
    ] {
        assert!(
            kinds.contains(k),
            "no '{k}' line in the trace; kinds: {kinds:?}"
        );
    }
}

#[test]
fn a_link_from_the_page_replays_the_same_trace() {
    let path = tmp("first.jsonl");
    let (code, out, _) = qs(&[
        "run", "--seed", "9", "--until", "3s", "--faults", "random", "--trace", &path,
    ]);
    assert_eq!(code, 0);
    let link = out
        .lines()
        .find_map(|l| l.strip_prefix("link: "))
        .expect("summary prints the link")
        .to_string();
    assert!(
        link.contains("a="),
        "random faults are recorded actions: {link}"
    );
    let again = tmp("again.jsonl");
    let url = format!("https://example.org/blog/raft/{link}");
    let (code, _, err) = qs(&["run", "--link", &url, "--until", "3s", "--trace", &again]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn fuzz_passes_clean_raft_and_fails_with_a_replay_command_on_a_bug() {
    let (code, out, err) = qs(&[
        "fuzz",
        "--protocol",
        "raft",
        "--seeds",
        "20",
        "--until",
        "4s",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("20 seeds of Raft") && out.contains("0 with violations"),
        "{out}"
    );

    let (code, out, _) = qs(&[
        "fuzz",
        "--seeds",
        "200",
        "--until",
        "4s",
        "--bug",
        "vote_ignores_log",
    ]);
    assert_eq!(code, 1, "the buggy voter must be caught: {out}");
    let replay = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("replay: quorumscope run --link '"))
        .unwrap_or_else(|| panic!("a replay command in the conventional form: {out}"));
    let link = replay.strip_suffix('\'').expect("the link is quoted");
    assert!(out.contains("violated at"), "{out}");
    let (code, again, err) = qs(&["run", "--link", link]);
    assert_eq!(
        code, 1,
        "the replay command finds the violation again: {again}{err}"
    );
    assert!(again.contains("VIOLATED"), "{again}");
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_code_2() {
    for (args, expect) in [
        (vec!["run", "--nodes", "99"], "1 to 25 nodes"),
        (vec!["run", "--until", "soon"], "--until"),
        (vec!["run", "--protocol", "zab"], "unknown protocol 'zab'"),
        (
            vec!["run", "--link", "?protocol=raft&seed=1&a=zz"],
            "--link",
        ),
        (
            vec!["fuzz", "--seeds", "many"],
            "--seeds expects a whole number",
        ),
        (vec!["frobnicate"], "unknown command"),
        (vec!["run", "--bug", "nonsense"], "no bug toggle"),
    ] {
        let (code, out, err) = qs(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_link_with_page_parameters_runs_and_unknown_ones_are_only_warnings() {
    let page =
        "https://example.org/blog/raft/?embed=1&id=five&protocol=raft&nodes=5&seed=1&debug=panic";
    let (code, out, err) = qs(&["run", "--link", page, "--until", "1s"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.is_empty(),
        "the page's own parameters are not worth a word: {err}"
    );

    let (code, out, err) = qs(&["run", "--link", &format!("{page}&zap=1"), "--until", "1s"]);
    assert_eq!(
        code, 0,
        "an ignored parameter does not end the run: {out}{err}"
    );
    assert!(out.contains("Raft · 5 nodes · seed 1"), "{out}");
    assert!(
        err.contains("warning") && err.contains("'zap'") && err.contains("ignored"),
        "{err}"
    );

    let (code, _, err) = qs(&["run", "--link", "?protocol=raft&seed=1&nodes=99&load=lots"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("nodes=99") && err.contains("load=lots"),
        "{err}"
    );
    assert!(
        !err.contains("using") && !err.contains("ignored"),
        "an error does not claim a fallback it does not take: {err}"
    );
}

#[test]
fn run_link_opens_at_the_links_moment_even_past_two_minutes() {
    let link = "?protocol=raft&nodes=5&seed=5&load=20&at=130000007";
    let (code, out, err) = qs(&["run", "--link", link]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("130.000 s simulated"), "{out}");
    let printed = out
        .lines()
        .find_map(|l| l.strip_prefix("link: "))
        .expect("summary prints the link");
    assert!(printed.ends_with("&at=130000007"), "{printed}");
    // The printed link reopens the same moment of the same run.
    let digest = |out: &str| {
        out.lines()
            .find(|l| l.contains("trace digest"))
            .map(String::from)
    };
    let (code, again, err) = qs(&["run", "--link", printed]);
    assert_eq!(code, 0, "{again}{err}");
    assert_eq!(digest(&again), digest(&out));
    // --until still wins over the link's moment.
    let (_, until, _) = qs(&["run", "--link", link, "--until", "2s"]);
    assert!(until.contains("2.000 s simulated"), "{until}");

    for bad in ["abc", "-1", "999999999999"] {
        let (code, _, err) = qs(&["run", "--link", &format!("?seed=1&at={bad}")]);
        assert_eq!(code, 2, "at={bad}: {err}");
        assert!(err.contains(&format!("at={bad}")), "{err}");
    }
    let (_, _, err) = qs(&["run", "--link", "?seed=1&at=999999999999"]);
    assert!(err.contains("24 hours"), "the bound is named: {err}");
}

#[test]
fn every_command_has_help_and_the_tool_a_version() {
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["run", "--help"],
        vec!["run", "--seed", "3", "-h"],
        vec!["fuzz", "--help"],
        vec!["bench", "-h"],
        vec!["help", "run"],
        vec!["check-history", "--help"],
        vec!["help", "check-history"],
    ] {
        let (code, out, err) = qs(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("USAGE"), "{args:?}: {out}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
    let (_, out, _) = qs(&["run", "--help"]);
    assert!(out.contains("--link") && out.contains("--until"), "{out}");
    let (code, out, _) = qs(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        format!("quorumscope {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_duration_without_a_unit_is_an_error_that_suggests_one() {
    let (code, out, err) = qs(&["run", "--until", "5"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("5s"), "{err}");
    assert!(err.contains("quorumscope run --help"), "{err}");
    let (code, _, err) = qs(&["fuzz", "--seeds", "1", "--until", "2.5"]);
    assert_eq!(code, 2);
    assert!(err.contains("2.5s"), "{err}");
    let (code, _, err) = qs(&["run", "--until", "48h"]);
    assert_eq!(code, 2);
    assert!(err.contains("--until"), "{err}");
}

#[test]
fn options_are_parsed_conventionally() {
    let (code, out, err) = qs(&["run", "--seed=7", "--until=1s", "--nodes", "3"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Raft · 3 nodes · seed 7"), "{out}");
    for (args, expect) in [
        (vec!["run", "--frobnicate", "1"], "--frobnicate"),
        (vec!["run", "--seed"], "--seed"),
        (vec!["run", "stray"], "stray"),
        (vec!["run", "--param", "zap=1"], "no parameter 'zap'"),
    ] {
        let (code, _, err) = qs(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorumscope"))
        .args(["run", "--nodes", "25", "--until", "2s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // The reader goes away before the summary is written (like `… | head -0`).
    child.stdout = None;
    let out = child.wait_with_output().expect("binary ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.status.code(), Some(0));
}

/// `fuzz --shard K/N --json` over N machines finds exactly what one unsharded run finds.
#[test]
fn fuzz_shards_split_the_seeds_and_their_json_summaries_merge() {
    let fuzz = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "fuzz",
            "--seeds",
            "23",
            "--until",
            "2s",
            "--bug",
            "vote_ignores_log",
            "--json",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = qs(&args);
        assert_eq!(code, 1, "the bug is found: {out}{err}");
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
    };
    let seeds_of = |v: &serde_json::Value| -> Vec<u64> {
        v["failed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["seed"].as_u64().unwrap())
            .collect()
    };
    let whole = fuzz(&[]);
    assert_eq!(whole["seeds"]["count"], 23);
    assert_eq!(whole["shard"]["of"], 1);
    let mut covered = Vec::new();
    let mut found = Vec::new();
    for k in 1..=4 {
        let part = fuzz(&["--shard", &format!("{k}/4")]);
        assert_eq!(part["shard"]["index"], k);
        let first = part["seeds"]["first"].as_u64().unwrap();
        let count = part["seeds"]["count"].as_u64().unwrap();
        covered.extend(first..first + count);
        found.extend(seeds_of(&part));
        let replay = part["failed"][0]["replay"].as_str().unwrap_or("");
        assert!(replay.is_empty() || replay.starts_with("quorumscope run --link '?"));
    }
    assert_eq!(
        covered,
        (1..=23).collect::<Vec<_>>(),
        "disjoint slices covering every seed"
    );
    assert_eq!(
        found,
        seeds_of(&whole),
        "the shards together find what one run finds"
    );
    let (code, _, err) = qs(&["fuzz", "--shard", "0/4"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected K/N"), "{err}");
}

/// `run --metrics FILE` writes every sample as JSON Lines, and the summary prints percentiles.
#[test]
fn run_writes_metrics_and_prints_commit_latency_percentiles() {
    let path = tmp("metrics.jsonl");
    let (code, out, err) = qs(&[
        "run",
        "--link",
        "?protocol=raft&nodes=5&seed=42&load=20",
        "--until",
        "10s",
        "--metrics",
        &path,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let p50 = out
        .lines()
        .find(|l| l.contains("Commit latency") && l.contains("p50") && l.contains("p99"))
        .unwrap_or_else(|| panic!("no percentiles in {out}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut last = std::collections::BTreeMap::new();
    let mut latencies = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
        let series = v["series"].as_str().expect("a series name").to_string();
        let t = v["t_us"].as_u64().expect("a time");
        assert!(t <= 10_000_000 && v["node"].as_u64().is_some_and(|n| (1..=5).contains(&n)));
        assert!(
            last.insert(series.clone(), t)
                .is_none_or(|before| before <= t),
            "{line}"
        );
        if series == "commit_latency" {
            latencies += 1;
            // At least one round trip of 10–15 ms, well under a second in a calm run.
            let us = v["value"].as_i64().unwrap();
            assert!((10_000..1_000_000).contains(&us), "{line}");
        }
    }
    assert!(
        latencies > 100,
        "{latencies} latency samples; summary: {p50}"
    );
    assert!(p50.contains(&format!("over {latencies} samples")), "{p50}");
    assert!(last.contains_key("commits"), "{:?}", last.keys());
}

#[test]
fn run_with_clients_prints_their_latency_percentiles_and_throughput() {
    let metrics = tmp("clients.jsonl");
    let (code, out, err) = qs(&[
        "run",
        "--protocol",
        "raft",
        "--seed",
        "7",
        "--param",
        "clients=3",
        "--until",
        "20s",
        "--faults",
        "random",
        "--metrics",
        &metrics,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("5 nodes + 3 clients"), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("Client-observed latency"))
        .unwrap_or_else(|| panic!("no client latency line in {out}"));
    for p in ["p50 ", "p95 ", "p99 "] {
        assert!(line.contains(p), "{line}");
    }
    assert!(out.contains("Requests answered: "), "{out}");
    assert!(
        out.lines().filter(|l| l.contains(" client ")).count() == 3,
        "one line per client: {out}"
    );
    let written = std::fs::read_to_string(&metrics).unwrap();
    assert!(written.contains(r#""series":"client_latency""#));
    assert!(
        written.contains(r#""node":6"#),
        "clients write their own samples"
    );
}

/// The summary line starting with `prefix`, without it.
fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.trim_start().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no '{prefix}' line in {out}"))
}

#[test]
fn run_with_chaos_counts_its_faults_and_its_link_replays_the_run() {
    for protocol in ["raft", "paxos", "multipaxos"] {
        let args = [
            "run",
            "--protocol",
            protocol,
            "--seed",
            "4",
            "--load",
            "10",
            "--until",
            "8s",
            "--chaos",
            "2.5",
        ];
        let (code, out, err) = qs(&args);
        assert!(code == 0 || code == 1, "{err}");
        let injected: u64 = line(&out, "chaos: ")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count of injected faults");
        // 2.5 per second for 8 seconds: 20 expected.
        assert!((5..=40).contains(&injected), "{protocol}: {injected}");
        assert!(line(&out, "chaos: ").ends_with("(now 2.5 per virtual second)"));
        let link = line(&out, "link: ").to_string();
        assert!(link.contains("chaos=2.5"), "{link}");
        assert!(
            !link.contains("a="),
            "injected faults are not in the link: {link}"
        );
        let (_, again, err) = qs(&["run", "--link", &link]);
        assert_eq!(
            line(&again, "events "),
            line(&out, "events "),
            "{protocol}: same events, trace lines and digest ({err})"
        );
        let (_, twice, _) = qs(&args);
        assert_eq!(twice, out, "the same chaos run twice");
    }
    let (_, calm, _) = qs(&["run", "--seed", "4", "--until", "2s"]);
    assert!(
        !calm.contains("chaos"),
        "no chaos line without chaos: {calm}"
    );
}

#[test]
fn a_bad_chaos_rate_is_a_usage_error_that_says_what_is_accepted() {
    for bad in ["fast", "-2", "5000", "0.00001"] {
        let (code, _, err) = qs(&["run", "--chaos", bad]);
        assert_eq!(code, 2, "{bad}");
        assert!(
            err.contains(&format!(
                "--chaos {bad} is not a fault rate from 0 to 1000 faults per virtual second"
            )),
            "{err}"
        );
    }
    let (code, _, err) = qs(&["run", "--link", "?protocol=raft&seed=1&chaos=x"]);
    assert_eq!(code, 2);
    assert!(err.contains("chaos=x is not a fault rate"), "{err}");
    let (code, _, err) = qs(&["run", "--link", "?protocol=raft&seed=1", "--chaos", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("drop --chaos"), "{err}");
}

/// The failover protocol's deliberate bugs are parameters: `fuzz` catches each within 50
/// seeds (exit 1) and passes the safe configuration.
#[test]
fn fuzz_catches_failover_without_fencing_or_with_async_replication() {
    let fuzz = |param: &str| {
        let mut args = vec!["fuzz", "--protocol", "failover", "--nodes", "3"];
        args.extend(["--seeds", "50", "--until", "10s", "--param", param]);
        qs(&args)
    };
    for bug in ["fencing=0", "replication=async"] {
        let (code, out, err) = fuzz(bug);
        assert_eq!(code, 1, "{bug} must be caught: {out}{err}");
        assert!(out.contains("violated at"), "{out}");
    }
    let (code, out, err) = fuzz("fencing=1");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 with violations"), "{out}");
}

/// `--param` takes the network's link keys too, so that a fuzz campaign can run on the latency a
/// link names (its replays keep it), and the store's lost update is caught from the command line.
#[test]
fn fuzz_takes_the_links_network_keys_and_catches_last_writer_wins_on_skewed_clocks() {
    let mut args = vec!["fuzz", "--protocol", "kvstore", "--nodes", "3"];
    args.extend(["--seeds", "10", "--until", "5s", "--param", "lat=1-5"]);
    args.extend(["--param", "mode=quorum", "--param", "skew=200"]);
    let (code, out, err) = qs(&args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("No Lost Updates violated at"), "{out}");
    assert!(
        out.contains("&lat=1-5&"),
        "the replay keeps the latency: {out}"
    );
    let (code, out, err) = qs(&[
        "fuzz",
        "--protocol",
        "kvstore",
        "--seeds",
        "2",
        "--param",
        "latency=1-5",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("has no parameter 'latency'"), "{err}");
    assert!(err.contains("reconcile, lat, loss, dup)"), "{err}");
}

/// `run --shiviz FILE` writes the ShiViz log: the regular expression, an empty delimiter line,
/// then one line per send and delivery that the regular expression parses.
#[test]
fn run_writes_a_shiviz_log_headed_by_its_regex() {
    let path = tmp("run.shiviz");
    let (code, out, err) = qs(&[
        "run",
        "--link",
        "?protocol=raft&nodes=3&seed=4&clients=1",
        "--until",
        "2s",
        "--shiviz",
        &path,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(quorumscope::sim::causality::SHIVIZ_REGEX)
    );
    assert_eq!(lines.next(), Some(""));
    let first = lines.next().expect("events");
    assert!(
        first.starts_with("node") && first.contains(" {\"node") && first.contains(": send "),
        "{first}"
    );
    assert!(lines.count() > 100);
}

#[test]
fn check_history_prints_the_verdict_and_a_witness_with_line_numbers() {
    let stale = tmp("stale.jsonl");
    std::fs::write(
        &stale,
        r#"{"process":1,"type":"invoke","f":"write","key":"x","value":1}
{"process":1,"type":"ok","f":"write","key":"x","value":1}
{"process":1,"type":"invoke","f":"write","key":"x","value":2}
{"process":1,"type":"ok","f":"write","key":"x","value":2}
{"process":3,"type":"invoke","f":"read","key":"y","value":null}
{"process":2,"type":"invoke","f":"read","key":"x","value":null}
{"process":2,"type":"ok","f":"read","key":"x","value":1}
{"process":3,"type":"ok","f":"read","key":"y","value":""}
"#,
    )
    .unwrap();
    let (code, out, err) = qs(&["check-history", &stale, "--model", "kv"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "not linearizable
witness: 3 operations on key \"x\" that cannot be ordered (no order reaches the completion on line 7):
  lines 1–2: process 1 write key \"x\" value 1 → ok
  lines 3–4: process 1 write key \"x\" value 2 → ok
  lines 6–7: process 2 read key \"x\" → ok 1
"
    );
    // Without the stale read, linearizable; y's "" is what a never-written kv key reads.
    let text = std::fs::read_to_string(&stale).unwrap();
    let fresh: String = text
        .lines()
        .filter(|l| !l.contains(r#""process":2"#))
        .map(|l| format!("{l}\n"))
        .collect();
    let ok = tmp("fresh.jsonl");
    std::fs::write(&ok, fresh).unwrap();
    let (code, out, err) = qs(&["check-history", &ok, "--model=kv"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "linearizable\n", "")
    );
    // A register reads null, not "", before any write.
    let (code, out, _) = qs(&["check-history", &ok, "--model", "register"]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn check_history_refuses_malformed_input_naming_the_line_and_bad_options_with_the_usage() {
    let bad = tmp("bad.jsonl");
    std::fs::write(
        &bad,
        r#"{"process":1,"type":"invoke","f":"write","value":1}
{"process":1,"type":"ok","f":"write","value":1}
{"process":1,"type":"ok","f":"write","value":1}
"#,
    )
    .unwrap();
    let (code, out, err) = qs(&["check-history", &bad, "--model", "register"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("line 3: process 1 completes an operation it never invoked"),
        "{err}"
    );
    let usage = "usage: quorumscope check-history FILE --model register|cas-register|kv";
    for args in [
        vec!["check-history", "no-such-file.jsonl", "--model", "kv"],
        vec!["check-history", &bad, "--model", "queue"],
        vec!["check-history", &bad],
        vec!["check-history", "--model", "kv"],
        vec!["check-history", &bad, "--model", "kv", "--strict"],
    ] {
        let (code, out, err) = qs(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(usage), "{args:?}: {err}");
    }
    let (_, _, err) = qs(&["check-history", "no-such-file.jsonl", "--model", "kv"]);
    assert!(err.contains("cannot read no-such-file.jsonl"), "{err}");
}

#[test]
fn a_store_runs_history_goes_through_check_history_with_the_same_verdict() {
    let (safe, stale) = (tmp("kv-raft.jsonl"), tmp("kv-follower.jsonl"));
    let run = |mode: &str, path: &str| {
        qs(&[
            "run",
            "--protocol",
            "kvstore",
            "--nodes",
            "3",
            "--seed",
            "42",
            "--until",
            "20s",
            "--param",
            &format!("mode={mode}"),
            "--history",
            path,
        ])
    };
    let (code, out, err) = run("raft", &safe);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Linearizable: yes"), "{out}");
    // Clients still write at the end: followers may be an entry behind, never apart.
    let replicas = line(&out, "Replicas:");
    let level = replicas.contains("agree") || replicas.contains("behind");
    assert!(level && !replicas.contains("differ"), "{out}");
    let history = std::fs::read_to_string(&safe).unwrap();
    assert!(history.lines().count() > 200, "{history}");
    assert!(
        history
            .lines()
            .next()
            .unwrap()
            .contains(r#""type":"invoke""#),
        "{history}"
    );
    let (code, out, err) = qs(&["check-history", &safe, "--model", "cas-register"]);
    assert_eq!((code, out.trim()), (0, "linearizable"), "{err}");

    // Reads served by any replica: the run flags a stale read, and so does check-history,
    // with its witness.
    let (code, out, err) = run("raft-follower", &stale);
    assert_eq!(code, 1, "{out}{err}");
    let (code, out, err) = qs(&["check-history", &stale, "--model", "cas-register"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("not linearizable"), "{out}");
    assert!(out.contains("→ ok"), "{out}");
    // The store has compare-and-sets: a plain register model refuses the history.
    let (code, _, err) = qs(&["check-history", &stale, "--model", "register"]);
    assert_eq!(code, 2);
    assert!(err.contains("has no cas"), "{err}");
}
