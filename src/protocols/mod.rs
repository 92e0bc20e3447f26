//! The protocols QuorumScope runs, and the one place they are registered.
//!
//! Adding a protocol: implement [`crate::sim::Protocol`] in its own module and add one
//! [`Definition::of`] line to [`REGISTRY`]. The page, the CLI, links and the fuzzer pick it up from here.

use crate::scenario::Scenario;
use crate::sim::{Definition, Lab, ProtocolInfo, Session, Setup};

pub mod clocksync;
pub mod detector;
pub mod election;
pub mod failover;
pub mod kvstore;
pub mod loadbalance;
pub mod multipaxos;
pub mod paxos;
pub mod raft;

/// The registration point: one line per protocol, the first is the default. Each line erases
/// the protocol's types, so the engine behind every protocol is one copy of the same code.
pub const REGISTRY: &[Definition] = &[
    Definition::of::<raft::Raft>(),
    Definition::of::<paxos::Paxos>(),
    Definition::of::<multipaxos::MultiPaxos>(),
    Definition::of::<failover::Failover>(),
    Definition::of::<loadbalance::LoadBalance>(),
    Definition::of::<clocksync::ClockSync>(),
    Definition::of::<kvstore::KvStore>(),
];

fn find(name: &str) -> Option<&'static Definition> {
    REGISTRY.iter().find(|e| (e.info)().name == name)
}

/// Every registered protocol's description, default first.
pub fn list() -> Vec<ProtocolInfo> {
    REGISTRY.iter().map(|e| (e.info)()).collect()
}

/// The description of protocol `name`, if registered.
pub fn info(name: &str) -> Option<ProtocolInfo> {
    find(name).map(|e| (e.info)())
}

/// Protocol-specific validation of `setup` (e.g. timeout ranges); unknown protocols pass.
pub fn validate(name: &str, setup: &Setup) -> Result<(), String> {
    find(name).map_or(Ok(()), |e| (e.validate)(setup))
}

/// Starts the run a scenario describes.
pub fn create(scenario: &Scenario) -> Result<Box<dyn Lab>, String> {
    let e = find(&scenario.protocol)
        .ok_or_else(|| format!("unknown protocol '{}'", scenario.protocol))?;
    Ok(Box::new(Session::new(*e, scenario)?))
}

/// Starts the run a scenario describes, keeping no trace (faster; for benchmarks and fuzzing).
pub fn create_untraced(scenario: &Scenario) -> Result<Box<dyn Lab>, String> {
    let e = find(&scenario.protocol)
        .ok_or_else(|| format!("unknown protocol '{}'", scenario.protocol))?;
    Ok(Box::new(Session::without_trace(*e, scenario)?))
}
