//! Browser unit tests (wasm-bindgen-test in headless Chromium): the core computes exactly the
//! same runs in wasm as natively, and time travel works in the browser build.
#![cfg(target_arch = "wasm32")]

mod support;

use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::SEC;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn wasm_trace_matches_the_native_digest() {
    let (digest, _) = support::golden_run();
    assert_eq!(
        digest,
        support::GOLDEN_DIGEST,
        "wasm digest {digest:#x} differs from native"
    );
}

#[wasm_bindgen_test]
fn seeking_backwards_restores_the_same_state() {
    let (s, _) = Scenario::from_query("protocol=raft&nodes=5&seed=7&load=10");
    let mut lab = protocols::create(&s).unwrap();
    lab.advance_to(3 * SEC);
    let at_three = (lab.nodes(), lab.in_flight(), lab.trace_len());
    lab.advance_to(8 * SEC);
    lab.seek(3 * SEC);
    assert_eq!((lab.nodes(), lab.in_flight(), lab.trace_len()), at_three);
}

#[wasm_bindgen_test]
fn a_link_without_seed_gets_a_fresh_random_seed() {
    let (a, problems) = Scenario::from_query("protocol=raft");
    let (b, _) = Scenario::from_query("protocol=raft");
    assert!(problems.is_empty());
    assert_ne!(a.seed, b.seed, "getrandom works in the browser");
}
