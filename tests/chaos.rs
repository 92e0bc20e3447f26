//! Chaos mode for every registered protocol: faults are injected at the rate set, marked as
//! chaos's in the trace, crashed nodes come back, and a chaos run replays exactly from its link,
//! through seeks back and forth and forks.

use quorumscope::export::TraceExport;
use quorumscope::import::import_trace;
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::trace::digest;
use quorumscope::sim::{ActionKind, Lab, SEC};

/// A run of `protocol` with chaos at `rate` faults per virtual second from the start.
fn chaos_run(protocol: &str, rate: &str, seed: u64) -> Box<dyn Lab> {
    let link = format!("protocol={protocol}&seed={seed}&load=10&chaos={rate}");
    let s = Scenario::parse_link(&link).expect("valid link");
    protocols::create(&s).expect("valid scenario")
}

/// The trace lines chaos wrote.
fn chaos_lines(lab: &dyn Lab) -> Vec<String> {
    lab.trace_jsonl()
        .lines()
        .filter(|l| l.contains(r#""kind":"chaos""#))
        .map(String::from)
        .collect()
}

/// Everything the page shows of a moment, as one comparable text.
fn state(lab: &dyn Lab) -> String {
    format!(
        "{} {} {:?} {:?} {:?} {:?} {}",
        lab.now(),
        lab.events(),
        lab.nodes(),
        lab.network(),
        lab.chaos(),
        lab.invariants(),
        digest(&lab.trace_jsonl())
    )
}

#[test]
fn every_protocol_takes_chaos_and_its_faults_are_marked_and_counted() {
    for info in protocols::list() {
        let mut lab = chaos_run(info.name, "5", 3);
        lab.advance_to(20 * SEC);
        let lines = chaos_lines(lab.as_ref());
        let chaos = lab.chaos();
        assert_eq!(chaos.rate, 5_000, "{}", info.name);
        assert_eq!(
            chaos.injected as usize,
            lines.len(),
            "{}: every injected fault has its trace line",
            info.name
        );
        // 5 faults per virtual second for 20 seconds: about 100 drawn, some idle (nothing to
        // mend) or not applicable (pausing a paused node).
        assert!(
            (40..=140).contains(&lines.len()),
            "{}: {} faults",
            info.name,
            lines.len()
        );
        for kind in ["crash", "restart", "pause", "partition", "cut_one_way"] {
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(&format!(r#""action":"{kind}""#))),
                "{}: no chaos {kind} in {lines:#?}",
                info.name
            );
        }
        assert!(
            lab.actions().is_empty(),
            "chaos's faults are not visitor actions"
        );
        let shown = lab.trace_line(
            (0..lab.trace_len())
                .find(|&i| lab.trace_line(i).kind.as_str() == "chaos")
                .unwrap(),
        );
        assert!(shown.text.starts_with("Chaos: "), "{}", shown.text);
        assert_eq!(
            shown.marker.map(|m| m.as_str()),
            Some("chaos"),
            "the timeline marks it"
        );
    }
}

#[test]
fn crashed_nodes_come_back_and_chaos_mends_the_network() {
    let mut lab = chaos_run("raft", "10", 9);
    let n = lab.setup().total() as u32;
    let mut down_at_checks = 0;
    for second in 1..=60 {
        lab.advance_to(second * SEC);
        down_at_checks += (1..=n).filter(|&id| !lab.is_up(id)).count();
    }
    // About one node in five is down at any time, never all of them for long.
    assert!(
        down_at_checks < 60 * n as usize / 2,
        "{down_at_checks} node-seconds down"
    );
    let lines = chaos_lines(lab.as_ref());
    let crashes = lines.iter().filter(|l| l.contains(r#""crash""#)).count();
    let restarts = lines.iter().filter(|l| l.contains(r#""restart""#)).count();
    assert!(
        restarts + n as usize >= crashes,
        "{crashes} crashes, {restarts} restarts"
    );
    assert!(lines.iter().any(|l| l.contains(r#""heal""#)));
}

#[test]
fn a_chaos_run_replays_from_its_link_and_its_trace_file() {
    for info in protocols::list() {
        let mut lab = chaos_run(info.name, "3.5", 12);
        lab.advance_to(4 * SEC);
        lab.act(ActionKind::Crash { node: 1 }).ok();
        lab.act(ActionKind::SetChaos { rate: 20_000 }).unwrap();
        lab.advance_to(7 * SEC);
        lab.act(ActionKind::SetChaos { rate: 0 }).unwrap();
        let off_at = lab.trace_len();
        lab.advance_to(10 * SEC);
        assert!(
            (off_at..lab.trace_len()).all(|i| lab.trace_line(i).kind.as_str() != "chaos"),
            "{}: nothing is injected once chaos is off",
            info.name
        );
        let link = lab.scenario().to_query();
        assert!(link.contains("chaos=3.5"), "{link}");
        let replay = Scenario::parse_link(&link).unwrap();
        assert!(
            replay.actions.len() <= 3,
            "only the visitor's actions are written into the link: {link}"
        );
        let mut again = protocols::create(&replay).unwrap();
        again.advance_to(10 * SEC);
        assert_eq!(
            digest(&again.trace_jsonl()),
            digest(&lab.trace_jsonl()),
            "{}: the link replays the chaos run",
            info.name
        );
        let imported = import_trace(&lab.trace_jsonl()).expect("the export imports");
        assert_eq!(imported.trace_jsonl(), lab.trace_jsonl());
    }
}

#[test]
fn seeking_back_and_forth_through_chaos_gives_the_same_moments() {
    let mut lab = chaos_run("multipaxos", "8", 5);
    lab.advance_to(12 * SEC);
    let end = state(lab.as_ref());
    let mut fresh = chaos_run("multipaxos", "8", 5);
    let times = [3 * SEC + 17, 9 * SEC, SEC / 2, 11 * SEC + 999, 6 * SEC];
    for &t in &times {
        lab.seek(t);
        fresh.seek(t);
        assert_eq!(state(lab.as_ref()), state(fresh.as_ref()), "at {t} µs");
    }
    lab.seek(12 * SEC);
    assert_eq!(state(lab.as_ref()), end);
}

#[test]
fn acting_in_the_past_of_a_chaos_run_forks_a_branch_its_link_replays() {
    let mut lab = chaos_run("paxos", "6", 21);
    lab.advance_to(8 * SEC);
    lab.seek(3 * SEC);
    let injected_then = lab.chaos().injected;
    lab.act(ActionKind::Heal).unwrap();
    assert_eq!(lab.horizon(), 3 * SEC, "the recorded future is discarded");
    lab.advance_to(8 * SEC);
    assert!(
        lab.chaos().injected > injected_then,
        "chaos goes on after the fork"
    );
    let link = lab.scenario().to_query();
    let mut again = protocols::create(&Scenario::parse_link(&link).unwrap()).unwrap();
    again.advance_to(8 * SEC);
    assert_eq!(state(again.as_ref()), state(lab.as_ref()));
}

#[test]
fn without_chaos_nothing_is_injected() {
    let s = Scenario::parse_link("protocol=raft&seed=3&load=10").unwrap();
    let mut lab = protocols::create(&s).unwrap();
    lab.advance_to(10 * SEC);
    assert!(chaos_lines(lab.as_ref()).is_empty());
    assert_eq!(lab.chaos().rate, 0);
    assert_eq!(lab.chaos().injected, 0);
}
