//! Timing shared by the protocols that elect a leader with randomized election timeouts and keep
//! it with heartbeats (Raft, Multi-Paxos): the same three parameters, checked the same way.

use crate::sim::ParamSpec;
use crate::sim::param::Unit;

/// The election and heartbeat parameters, with their defaults and bounds (a constant table:
/// cheaper in the page than a vector built in code).
const PARAMS: [ParamSpec; 3] = [
    ParamSpec {
        key: "election_min",
        label: "Election timeout, minimum",
        unit: Unit::Micros,
        default: 100_000,
        min: 10_000,
        max: 10_000_000,
    },
    ParamSpec {
        key: "election_max",
        label: "Election timeout, maximum",
        unit: Unit::Micros,
        default: 200_000,
        min: 10_000,
        max: 20_000_000,
    },
    ParamSpec {
        key: "heartbeat",
        label: "Heartbeat interval",
        unit: Unit::Micros,
        default: 50_000,
        min: 1_000,
        max: 5_000_000,
    },
];

/// The election and heartbeat parameters, with their defaults and bounds.
pub fn params() -> Vec<ParamSpec> {
    Vec::from(PARAMS)
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
