//! A fixed scenario shared by the native and the browser test, so both can prove they
//! produce the byte-identical trace.

use quorumscope::export::TraceExport;
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::trace::digest;
use quorumscope::sim::{ActionKind, SEC};

/// Digest of the trace of [`golden_run`]; identical natively and in wasm32.
/// If a deliberate change to the engine or Raft alters runs, update it (and say so: old links
/// then replay differently).
pub const GOLDEN_DIGEST: u64 = 0x480f_fb75_1484_c502;

/// Raft, 5 nodes, seed 42, steady load, lossy network, a crash and a restart of the leader,
/// a partition and a heal: 10 virtual seconds.
pub fn golden_run() -> (u64, String) {
    let (mut s, problems) =
        Scenario::from_query("protocol=raft&nodes=5&seed=42&load=20&loss=2&dup=1");
    assert!(problems.is_empty(), "{problems:?}");
    s.actions.clear();
    let mut lab = protocols::create(&s).expect("valid scenario");
    lab.advance_to(2 * SEC);
    let leader = lab
        .nodes()
        .into_iter()
        .find(|n| n.view.role == "leader")
        .map(|n| n.id)
        .unwrap_or(1);
    lab.act(ActionKind::Crash { node: leader })
        .expect("leader is up");
    lab.advance_to(4 * SEC);
    lab.act(ActionKind::Partition {
        groups: vec![0, 0, 1, 1, 1],
    })
    .expect("valid partition");
    lab.advance_to(6 * SEC);
    lab.act(ActionKind::Heal).expect("heal always applies");
    lab.act(ActionKind::Restart { node: leader })
        .expect("node is down");
    lab.advance_to(10 * SEC);
    let trace = lab.trace_jsonl();
    (digest(&trace), trace)
}
