//! Timing shared by the protocols that elect a leader with randomized election timeouts and keep
//! it with heartbeats (Raft, Multi-Paxos): the same three parameters, checked the same way.

use crate::sim::ParamSpec;

/// The election and heartbeat parameters, with their defaults and bounds.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::micros(
            "election_min",
            "Election timeout, minimum",
            100_000,
            10_000,
            10_000_000,
        ),
        ParamSpec::micros(
            "election_max",
            "Election timeout, maximum",
            200_000,
            10_000,
            20_000_000,
        ),
        ParamSpec::micros("heartbeat", "Heartbeat interval", 50_000, 1_000, 5_000_000),
    ]
}

/// Refuses timings that cannot work: a minimum election timeout above its maximum, or heartbeats
/// no more frequent than elections (followers would time out between them). Times in µs.
pub fn validate(election_min: u64, election_max: u64, heartbeat: u64) -> Result<(), String> {
    if election_min > election_max {
        return Err(format!(
            "the election timeout minimum ({} ms) is above its maximum ({} ms)",
            crate::sim::param::millis(election_min),
            crate::sim::param::millis(election_max)
        ));
    }
    if heartbeat >= election_min {
        return Err(format!(
            "the heartbeat interval ({} ms) must be shorter than the minimum election timeout ({} ms)",
            crate::sim::param::millis(heartbeat),
            crate::sim::param::millis(election_min)
        ));
    }
    Ok(())
}
