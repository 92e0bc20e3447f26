//! `Lab::trace_jsonl_chunk`: the page builds long exports slice by slice; the slices must add up
//! to exactly the one-string export, whatever the slice size, for every protocol.

use quorumscope::export::TraceExport;
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::{ActionKind, Lab, SEC};

fn run(query: &str) -> Box<dyn Lab> {
    let (s, problems) = Scenario::from_query(query);
    assert!(problems.is_empty(), "{problems:?}");
    let mut lab = protocols::create(&s).unwrap();
    lab.advance_to(SEC);
    lab.act(ActionKind::Crash { node: 1 }).unwrap();
    lab.advance_to(2 * SEC + 345);
    lab
}

/// Joins the slices of `max_bytes` and checks each one's shape on the way.
fn in_slices(lab: &dyn Lab, max_bytes: usize) -> String {
    let end = lab.trace_len() + 1;
    let mut text = String::new();
    let mut line = 0;
    while line < end {
        let (chunk, next) = lab.trace_jsonl_chunk(line, max_bytes);
        assert!(next > line, "a slice moves forward");
        assert_eq!(chunk.lines().count(), next - line, "whole lines only");
        assert!(chunk.ends_with('\n'));
        if next - line > 1 {
            let without_last = chunk[..chunk.len() - 1].rfind('\n').unwrap() + 1;
            assert!(
                without_last < max_bytes,
                "a slice stops once it reaches max_bytes"
            );
        }
        text.push_str(&chunk);
        line = next;
    }
    assert_eq!(lab.trace_jsonl_chunk(end, max_bytes), (String::new(), end));
    text
}

#[test]
fn slices_of_any_size_add_up_to_the_whole_export() {
    for query in [
        "protocol=raft&nodes=5&seed=3&load=20",
        "protocol=paxos&nodes=5&seed=3",
        "protocol=multipaxos&nodes=3&seed=3&load=20",
    ] {
        let lab = run(query);
        let whole = lab.trace_jsonl();
        assert!(whole.lines().count() > 100, "{query}: a substantial trace");
        for max_bytes in [1, 100, 4_096, 1 << 20, usize::MAX] {
            assert_eq!(
                in_slices(lab.as_ref(), max_bytes),
                whole,
                "{query}, {max_bytes} bytes"
            );
        }
    }
}
