//! The protocols QuorumScope runs, and the one place they are registered.
//!
//! Adding a protocol: implement [`crate::sim::Protocol`] in its own module and add one
//! [`entry`] line to [`REGISTRY`]. The page, the CLI, links and the fuzzer pick it up from here.

use crate::scenario::Scenario;
use crate::sim::{Lab, Protocol, ProtocolInfo, Session, Setup};

pub mod election;
pub mod multipaxos;
pub mod paxos;
pub mod raft;

/// How the rest of the program reaches one protocol without naming its types.
pub struct Entry {
    /// The protocol's static description.
    pub info: fn() -> ProtocolInfo,
    /// Protocol-specific validation of a setup.
    pub validate: fn(&Setup) -> Result<(), String>,
    /// Builds a run with a trace (page, CLI `run`).
    pub create: fn(&Scenario) -> Result<Box<dyn Lab>, String>,
    /// Builds a run without a trace (benchmarks, bulk fuzzing).
    pub create_untraced: fn(&Scenario) -> Result<Box<dyn Lab>, String>,
}

/// The registration point: one line per protocol, the first is the default.
pub const REGISTRY: &[Entry] = &[
    entry::<raft::Raft>(),
    entry::<paxos::Paxos>(),
    entry::<multipaxos::MultiPaxos>(),
];

/// The registry entry of protocol `P`.
pub const fn entry<P: Protocol>() -> Entry {
    Entry {
        info: P::info,
        validate: P::validate,
        create: |s| Ok(Box::new(Session::<P>::new(s)?)),
        create_untraced: |s| Ok(Box::new(Session::<P>::without_trace(s)?)),
    }
}

fn find(name: &str) -> Option<&'static Entry> {
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
    (e.create)(scenario)
}

/// Starts the run a scenario describes, keeping no trace (faster; for benchmarks and fuzzing).
pub fn create_untraced(scenario: &Scenario) -> Result<Box<dyn Lab>, String> {
    let e = find(&scenario.protocol)
        .ok_or_else(|| format!("unknown protocol '{}'", scenario.protocol))?;
    (e.create_untraced)(scenario)
}
