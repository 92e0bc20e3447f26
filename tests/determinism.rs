//! Same seed and actions give the same run, and the run matches the one the browser computes.

mod support;

use quorumscope::export::TraceExport;
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::SEC;

#[test]
fn native_trace_matches_the_pinned_digest_shared_with_wasm() {
    let (digest, trace) = support::golden_run();
    let (again, _) = support::golden_run();
    assert_eq!(digest, again, "two runs of the same scenario differ");
    assert!(
        trace.lines().count() > 1_000,
        "the golden run is substantial"
    );
    assert_eq!(
        digest,
        support::GOLDEN_DIGEST,
        "trace digest changed: {digest:#x} (update GOLDEN_DIGEST only for a deliberate change)"
    );
}

#[test]
fn a_link_replays_the_recorded_run_byte_for_byte() {
    let (_, trace) = support::golden_run();
    let link = trace.lines().next().unwrap();
    let link: serde_json::Value = serde_json::from_str(link).unwrap();
    let query = link["link"].as_str().unwrap();
    let scenario = Scenario::parse_link(query).expect("the exported link parses");
    let mut lab = protocols::create(&scenario).unwrap();
    lab.advance_to(10 * SEC);
    assert_eq!(lab.trace_jsonl(), trace);
}
