//! The network and node faults beyond crashes, on a real protocol: a paused Raft leader is
//! replaced, and on resuming steps down at the first message of the higher term.

use quorumscope::export::TraceExport;
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::{ActionKind, Lab, MS, NodeId, SEC};

fn leader(lab: &dyn Lab) -> Option<(NodeId, u64)> {
    lab.nodes()
        .into_iter()
        .filter(|n| n.up && n.paused_until.is_none() && n.view.role == "leader")
        .map(|n| (n.id, n.view.epoch))
        .max_by_key(|&(_, term)| term)
}

#[test]
fn a_paused_raft_leader_is_replaced_and_steps_down_when_it_resumes() {
    let (scenario, problems) = Scenario::from_query("protocol=raft&nodes=5&seed=11");
    assert!(problems.is_empty(), "{problems:?}");
    let mut lab = protocols::create(&scenario).unwrap();
    lab.advance_to(2 * SEC);
    let (old, old_term) = leader(&*lab).expect("a leader after 2 s");
    // Longer than the election timeout (100–200 ms by default).
    lab.act(ActionKind::Pause {
        node: old,
        duration: 800 * MS,
    })
    .unwrap();
    lab.advance_to(2 * SEC + 790 * MS);
    let (new, new_term) = leader(&*lab).expect("the others elect a new leader meanwhile");
    assert_ne!(new, old);
    assert!(new_term > old_term);
    let frozen = &lab.nodes()[old as usize - 1];
    assert_eq!(
        frozen.view.role, "leader",
        "the paused node still believes it leads"
    );
    assert_eq!(frozen.view.epoch, old_term);

    lab.advance_to(3 * SEC);
    let resumed = &lab.nodes()[old as usize - 1];
    assert_eq!(resumed.paused_until, None);
    assert_eq!(resumed.view.role, "follower", "it stepped down");
    assert!(resumed.view.epoch >= new_term);
    // It stepped down on the first message of the higher term it handled after resuming:
    // find the resume line, then the first delivery to it carrying a term above its own.
    let trace = lab.trace_jsonl();
    let lines: Vec<serde_json::Value> = trace
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let resume = lines
        .iter()
        .position(|v| v["kind"] == "resume" && v["node"] == old)
        .expect("a resume line");
    let first = lines[resume..]
        .iter()
        .position(|v| {
            v["kind"] == "deliver" && v["to"] == old && v["msg"]["term"].as_u64() > Some(old_term)
        })
        .map(|i| i + resume)
        .expect("a delivery of the higher term after resuming");
    let step_down = lines[first..]
        .iter()
        .position(|v| v["kind"] == "role" && v["node"] == old && v["role"] == "follower")
        .map(|i| i + first)
        .expect("a step-down line");
    assert!(
        lines[first + 1..step_down]
            .iter()
            .all(|v| !(v["kind"] == "deliver" && v["to"] == old)),
        "the step-down follows that message at once: {:?}",
        &lines[first..=step_down]
    );
    assert!(lab.invariants().iter().all(|i| i.violated.is_none()));
}
