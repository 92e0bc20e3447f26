//! Bad input never crashes anything: thousands of seeded mutations of valid links, trace files
//! and embed commands (numbers at their limits, truncated text, wrong types, huge counts) go
//! through the parsers and the replay. Each must give a clear error or a valid run, never a
//! panic, and never an allocation that grows with a number written in the input: the test
//! binary's allocator records the largest single allocation each input caused.
//!
//! Deterministic: every mutation comes from a fixed seed, so a failure names its case.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use quorumscope::embed_api::{self, EmbedCommand, NodeRef};
use quorumscope::export::TraceExport;
use quorumscope::fuzz::{FuzzOptions, inject_faults};
use quorumscope::import::{advance_within, import_trace};
use quorumscope::protocols;
use quorumscope::scenario::{MAX_AT, MAX_CLIENT_RATE, Scenario};
use quorumscope::sim::action::ActionKind;
use quorumscope::sim::json_read;
use quorumscope::sim::{Lab, Rng, SEC};
use serde_json::{Value, json};

/// The largest allocation any single input may cause. The inputs are a few kilobytes and their
/// runs a few virtual seconds, so anything near this is memory sized by an untrusted number.
const MAX_ALLOCATION: usize = 16 << 20;

/// Events one mutated link's replay may simulate (its runs are short: this is a ceiling).
const REPLAY_BUDGET: u64 = 20_000;

/// Records the largest allocation made on each thread while an input is being checked, and
/// refuses (the process then stops with "memory allocation of N bytes failed") any allocation
/// above [`MAX_ALLOCATION`] at once, so that a parser sizing memory by an untrusted number fails
/// the test instead of exhausting the machine.
struct Watch;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

/// Notes an allocation of `size` bytes; false if it must be refused.
fn allowed(size: usize) -> bool {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
    size <= MAX_ALLOCATION || !ARMED.try_with(Cell::get).unwrap_or(false)
}

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !allowed(layout.size()) {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !allowed(layout.size()) {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !allowed(new_size) {
            return std::ptr::null_mut();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watch = Watch;

/// Runs `check` on one input; fails naming the case if it panics or allocates too much.
fn survive(case: &str, check: impl FnOnce()) {
    LARGEST.with(|l| l.set(0));
    ARMED.with(|a| a.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check));
    ARMED.with(|a| a.set(false));
    let largest = LARGEST.with(Cell::get);
    if let Err(panic) = outcome {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("{case}\n  panicked: {why}");
    }
    assert!(
        largest <= MAX_ALLOCATION,
        "{case}\n  allocated {largest} bytes at once"
    );
}

/// Numbers at the limits of every type a parser might read them into, and other near misses.
const LIMITS: &[&str] = &[
    "0",
    "1",
    "-1",
    "255",
    "256",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "999999999999",
    "99999999999999999999999999999",
    "1e308",
    "1e309",
    "-0",
    "0.5",
    "NaN",
    "inf",
    "",
    "zzzzzzzzzzzzz",
];

/// Fragments that mean something to one of the parsers.
const TOKENS: &[&str] = &[
    "&", "=", "%", "%zz", "%FF", "%00", "+", "~", ".", "-", ",", "?", "#", "é", "\u{0}", "a=",
    "at=", "nodes=", "seed=", "load=", "\"", "{", "}", "[", "]", ":", "null", "true", "\n",
];

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.range(0, from.len() as u64 - 1) as usize]
}

/// A character position in `text`, as a byte index.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let n = text.chars().count() as u64;
    let i = rng.range(0, n) as usize;
    text.char_indices().nth(i).map_or(text.len(), |(b, _)| b)
}

/// One text-level mutation: truncate, cut, insert, duplicate, or swap a number for a limit.
fn mutate_text(rng: &mut Rng, text: &str) -> String {
    let a = boundary(rng, text);
    let b = a.max(boundary(rng, text));
    match rng.range(0, 4) {
        0 => text[..a].to_string(),
        1 => format!("{}{}", &text[..a], &text[b..]),
        2 => format!("{}{}{}", &text[..a], pick(rng, TOKENS), &text[a..]),
        3 => format!("{}{}{}", &text[..b], &text[a..b], &text[b..]),
        _ => {
            // Replace the number starting at or after `a` by a limit value.
            let start = text[a..]
                .find(|c: char| c.is_ascii_digit())
                .map_or(text.len(), |i| a + i);
            let end = text[start..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(text.len(), |i| start + i);
            format!("{}{}{}", &text[..start], pick(rng, LIMITS), &text[end..])
        }
    }
}

/// A JSON value of a random shape: a limit, a wrong type, a deep or a long structure.
fn odd_value(rng: &mut Rng) -> Value {
    match rng.range(0, 7) {
        0 => json!(u64::MAX),
        1 => json!(-1),
        2 => json!(1e300),
        3 => json!(pick(rng, LIMITS)),
        4 => Value::Null,
        5 => json!([[1, 2], [3]]),
        6 => json!(vec![7; 1000]),
        _ => json!({"nested": {"deeper": [true]}}),
    }
}

/// Valid links: real runs with recorded actions, plus the page's own parameters.
fn valid_links() -> Vec<String> {
    let mut links = Vec::new();
    for (i, protocol) in ["raft", "paxos", "multipaxos"].iter().enumerate() {
        let (mut scenario, _) = Scenario::from_query(&format!(
            "protocol={protocol}&nodes=5&seed={}&load=5",
            i + 1
        ));
        scenario.net.loss_ppm = 10_000;
        let mut lab = protocols::create_untraced(&scenario).unwrap();
        let opts = FuzzOptions {
            until: 2 * SEC,
            faults_until: 2 * SEC,
            fault_gap: 200_000,
            ..FuzzOptions::default()
        };
        inject_faults(lab.as_mut(), i as u64 + 1, &opts);
        links.push(format!(
            "https://example.org/blog/?{}&at={}&embed=1&id=post-{i}",
            lab.scenario().to_query(),
            lab.now()
        ));
    }
    links
}

/// What a link must give: a sane scenario whose run replays within a bound, or clear errors.
fn check_link(link: &str) {
    let (scenario, problems) = Scenario::from_query(link);
    assert!(problems.iter().all(|p| !p.trim().is_empty()));
    let info = protocols::info(&scenario.protocol).expect("a known protocol");
    assert!((info.min_nodes..=info.max_nodes).contains(&scenario.nodes));
    assert!(scenario.client_rate <= MAX_CLIENT_RATE);
    // Each action takes at least five characters of the link ("0.0.h~").
    assert!(scenario.actions.len() <= link.len() / 5 + 1);
    assert!(scenario.actions.iter().all(|a| a.t <= MAX_AT));
    match Scenario::read_strict(link) {
        Ok(strict) => assert!(strict.at.is_none_or(|t| t <= MAX_AT)),
        Err(e) => assert!(!e.trim().is_empty()),
    }
    // The replay: the page opens a link at its last action (or at=), within a budget.
    if let Ok(mut lab) = protocols::create(&scenario) {
        let open_at = scenario.actions.last().map_or(SEC, |a| a.t).min(3 * SEC);
        let start = lab.events();
        advance_within(lab.as_mut(), open_at, REPLAY_BUDGET);
        assert!(lab.events() - start <= REPLAY_BUDGET);
        let _ = lab.trace_jsonl();
    }
}

#[test]
fn mutated_links_give_a_sane_run_or_clear_errors() {
    let links = valid_links();
    for link in &links {
        let (_, problems) = Scenario::from_query(link);
        assert!(problems.is_empty(), "{link}: {problems:?}");
    }
    let mut rng = Rng::new(0x114C_5EED);
    for case in 0..3_000 {
        let base = &links[case % links.len()];
        let mut link = base.clone();
        for _ in 0..rng.range(1, 3) {
            link = mutate_text(&mut rng, &link);
        }
        survive(&format!("link case {case}: {link}"), || check_link(&link));
    }
}

/// A valid export: a short run with a crash, a partition and client load.
fn valid_trace() -> String {
    let (s, _) = Scenario::from_query("protocol=raft&nodes=3&seed=8&load=10");
    let mut lab = protocols::create(&s).unwrap();
    lab.advance_to(300_000);
    lab.act(ActionKind::Crash { node: 2 }).unwrap();
    lab.advance_to(600_000);
    lab.act(ActionKind::Partition {
        groups: vec![0, 0, 1],
    })
    .unwrap();
    lab.advance_to(900_000);
    lab.trace_jsonl()
}

/// One line-level mutation of a trace: a field replaced, a line lost, doubled or cut.
fn mutate_trace(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let last = lines.len() as u64 - 1;
    // The header and the last line decide how far the replay goes: mutate them often.
    let i = match rng.range(0, 3) {
        0 => 0,
        1 => last,
        _ => rng.range(0, last),
    } as usize;
    match rng.range(0, 4) {
        0 => {
            let mut v: Value = serde_json::from_str(&lines[i]).unwrap_or(Value::Null);
            if let Some(map) = v.as_object_mut() {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = keys[rng.range(0, keys.len() as u64 - 1) as usize].clone();
                map.insert(key, odd_value(rng));
            }
            lines[i] = v.to_string();
        }
        1 => {
            lines.remove(i);
        }
        2 => lines.truncate(i + 1),
        3 => {
            let copy = lines[i].clone();
            lines.insert(i, copy);
        }
        _ => lines[i] = mutate_text(rng, &lines[i]),
    }
    lines.join("\n")
}

#[test]
fn mutated_trace_files_import_exactly_or_are_refused_with_a_reason() {
    let trace = valid_trace();
    assert_eq!(import_trace(&trace).unwrap().trace_jsonl(), trace);
    let mut rng = Rng::new(0x7ACE_F11E);
    for case in 0..1_500 {
        let mut text = trace.clone();
        for _ in 0..rng.range(1, 2) {
            text = mutate_trace(&mut rng, &text);
        }
        let header = text.lines().next().unwrap_or("").to_string();
        survive(&format!("trace case {case}, header {header}"), || {
            match import_trace(&text) {
                // Accepted only if the replay gives every line of the file (the header's
                // other fields are not part of the run).
                Ok(lab) => {
                    let replay = lab.trace_jsonl();
                    let same = replay.lines().skip(1).eq(text.lines().skip(1));
                    assert!(same, "accepted a file that is not its replay");
                }
                Err(e) => assert!(e.ends_with('.') && e.len() > 10, "{e}"),
            }
        });
    }
}

/// Well-formed commands of every kind.
fn valid_commands() -> Vec<Value> {
    let base = |command: &str, fields: Value| {
        let mut v =
            json!({"source": "quorumscope", "type": "command", "command": command, "id": 1});
        for (k, x) in fields.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    vec![
        base("play", json!({})),
        base("pause", json!({})),
        base("step", json!({})),
        base("seek", json!({"t_ms": 1500})),
        base("setSpeed", json!({"speed": 0.1})),
        base("crash", json!({"node": 2})),
        base("restart", json!({"node": "leader"})),
        base("clientRequest", json!({"node": 1})),
        base("dropNext", json!({"from": 1, "to": 2})),
        base("partition", json!({"groups": [[1, 2], [3]]})),
        base("heal", json!({})),
        base("pauseNode", json!({"node": 3, "ms": 250})),
        base("cutOneWay", json!({"from": 1, "to": 3})),
        base(
            "slowLink",
            json!({"from": 2, "to": 1, "min_ms": 40, "max_ms": 90}),
        ),
        base("load", json!({"link": "?protocol=paxos&seed=4&at=2000000"})),
        base("setChaos", json!({"rate": 2.5})),
        base("setParam", json!({"key": "policy", "value": "p2c"})),
        base("setParam", json!({"key": "speed", "value": 25, "node": 3})),
    ]
}

/// Checks a parsed command's promises, then carries it out on a run as the embed would.
fn check_command(v: &Value, nodes: usize, lab: &mut dyn Lab) {
    // The page reads a posted message from its JSON text.
    let v = &json_read::parse(&v.to_string()).expect("JSON text reads back");
    if embed_api::check_envelope(v).is_err() {
        return;
    }
    let cmd = match embed_api::parse_command(v, nodes) {
        Ok(cmd) => cmd,
        Err(e) => return assert!(!e.trim().is_empty()),
    };
    let id_ok = |n: &NodeRef| match n {
        NodeRef::Id(id) => (1..=nodes as u32).contains(id),
        NodeRef::Leader => true,
    };
    let act = |kind: ActionKind, lab: &mut dyn Lab| {
        let _ = lab.act(kind);
    };
    match cmd {
        EmbedCommand::Seek { t } => {
            assert!(t <= MAX_AT);
            advance_within(lab, t, REPLAY_BUDGET / 4);
        }
        EmbedCommand::SetSpeed { speed } => assert!(speed.is_finite() && speed > 0.0),
        EmbedCommand::Crash(n) | EmbedCommand::Restart(n) | EmbedCommand::ClientRequest(n) => {
            assert!(id_ok(&n));
            if let NodeRef::Id(node) = n {
                act(ActionKind::Crash { node }, lab);
                act(ActionKind::Restart { node }, lab);
                act(ActionKind::ClientRequest { node }, lab);
            }
        }
        EmbedCommand::DropNext { from, to } => {
            assert!(id_ok(&NodeRef::Id(from)) && id_ok(&NodeRef::Id(to)));
        }
        EmbedCommand::Partition { sides } => {
            assert_eq!(sides.len(), nodes);
            act(ActionKind::Partition { groups: sides }, lab);
        }
        EmbedCommand::Load { link } => check_link(&link),
        EmbedCommand::SetChaos { rate } => {
            assert!(rate <= 1_000_000);
            act(ActionKind::SetChaos { rate }, lab);
        }
        EmbedCommand::SetParam { node, key, value } => {
            assert!(node.is_none_or(|n| id_ok(&NodeRef::Id(n))));
            // Whatever the key and value, the run refuses or applies it without a panic.
            if let Ok(value) = value.parse::<u64>() {
                act(ActionKind::SetParam { node, key, value }, lab);
            }
        }
        EmbedCommand::PauseNode { node, duration } => {
            assert!(id_ok(&node) && (1..=600_000_000).contains(&duration));
            if let NodeRef::Id(node) = node {
                act(ActionKind::Pause { node, duration }, lab);
            }
        }
        EmbedCommand::CutOneWay { from, to } => {
            assert!(id_ok(&NodeRef::Id(from)) && id_ok(&NodeRef::Id(to)) && from != to);
            act(ActionKind::CutOneWay { from, to }, lab);
        }
        EmbedCommand::SlowLink { from, to, latency } => {
            assert!(id_ok(&NodeRef::Id(from)) && id_ok(&NodeRef::Id(to)) && from != to);
            assert!(latency.is_none_or(|(lo, hi)| lo <= hi && hi <= 60_000_000));
            act(ActionKind::LinkLatency { from, to, latency }, lab);
        }
        EmbedCommand::Play | EmbedCommand::Pause | EmbedCommand::Step | EmbedCommand::Heal => {}
    }
}

#[test]
fn mutated_embed_commands_are_carried_out_or_refused_with_a_sentence() {
    let commands = valid_commands();
    let mut rng = Rng::new(0xE3BE_D000);
    for nodes in [1, 5, 25] {
        let (s, _) = Scenario::from_query(&format!("protocol=raft&seed=3&nodes={nodes}"));
        for case in 0..1_000 {
            // A fresh run each time, so what one command allocates is not another's growth.
            let mut lab = protocols::create(&s).unwrap();
            lab.advance_to(SEC / 2);
            let mut v = commands[case % commands.len()].clone();
            if rng.range(0, 1) == 0 {
                let keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
                let key = keys[rng.range(0, keys.len() as u64 - 1) as usize].clone();
                v[key] = odd_value(&mut rng);
            } else {
                let text = mutate_text(&mut rng, &v.to_string());
                // The page's reader accepts exactly what serde_json accepts.
                let ours = json_read::parse(&text);
                match serde_json::from_str(&text) {
                    Ok(parsed) => {
                        assert!(ours.is_ok(), "{text}: {ours:?}");
                        v = parsed;
                    }
                    Err(_) => {
                        assert!(ours.is_err(), "{text}: {ours:?}");
                        continue;
                    }
                }
            }
            survive(
                &format!("command case {case} for {nodes} nodes: {v}"),
                || check_command(&v, nodes, lab.as_mut()),
            );
        }
    }
}

#[test]
fn huge_counts_are_refused_before_anything_is_allocated() {
    survive("huge counts", || {
        let e = Scenario::read_strict("seed=1&nodes=1000000000000").unwrap_err();
        assert!(e.contains("nodes=1000000000000"), "{e}");
        let e = Scenario::read_strict("seed=1&load=4000000000").unwrap_err();
        assert!(e.contains("load=4000000000"), "{e}");
        let e = Scenario::read_strict("seed=1&at=18446744073709551615").unwrap_err();
        assert!(e.contains("24 hours"), "{e}");
        let e = Scenario::read_strict("seed=1&nodes=3&a=0.0.p0000000000000000001").unwrap_err();
        assert!(e.contains("a side for each of the 3 nodes"), "{e}");
        let groups: Vec<Vec<u64>> = (1..=1000).map(|i| vec![i]).collect();
        let v = json!({"source": "quorumscope", "type": "command", "command": "partition", "groups": groups});
        let v = json_read::parse(&v.to_string()).unwrap();
        assert!(embed_api::parse_command(&v, 5).is_err());
        let v = json!({"source": "quorumscope", "type": "command", "command": "crash", "node": u64::MAX});
        let v = json_read::parse(&v.to_string()).unwrap();
        assert!(embed_api::parse_command(&v, 5).is_err());
        let header = format!(
            r#"{{"t":0,"kind":"scenario","format":"quorumscope-trace","version":1,"at":{},"link":"protocol=raft&nodes=3&seed=1"}}"#,
            u64::MAX
        );
        let e = import_trace(&header).err().expect("refused");
        assert!(e.contains("24 hours"), "{e}");
    });
}
