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
    assert!(
        out.contains("violated at")
            && out.contains("replay: cargo run --release --bin quorumscope -- run --link"),
        "{out}"
    );
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
