//! Chaos mode on the command line: `run --chaos RATE` injects faults from the seed, prints how
//! many, and its link (`chaos=`) replays the same trace; bad rates are refused clearly.

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
