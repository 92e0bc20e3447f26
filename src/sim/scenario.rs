//! What a run is made of: protocol, cluster size, seed, network, protocol parameters, bug
//! toggles, steady client load and the recorded visitor actions. The simulator builds a run from
//! it and hands it back with the actions recorded so far; its link form (a query string) is
//! written and read above the simulator, by the link codec.

use std::collections::{BTreeMap, BTreeSet};

use super::action::{Action, NetConfig};
use super::node::{KindCount, ProtocolInfo, Setup};

/// Everything that determines a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Protocol name, e.g. `raft`.
    pub protocol: String,
    /// Cluster size.
    pub nodes: usize,
    /// Seed of the run's one PRNG.
    pub seed: u64,
    /// Network conditions at the start.
    pub net: NetConfig,
    /// Protocol parameter values by key (all keys present).
    pub params: BTreeMap<String, u64>,
    /// Enabled bug toggles.
    pub bugs: BTreeSet<String>,
    /// Steady client load in requests per virtual second (0 = none).
    pub client_rate: u32,
    /// Chaos mode's rate from the start, in faults per 1,000 virtual seconds (0 = off; see
    /// `sim::chaos`). Later changes are recorded actions.
    pub chaos: u32,
    /// Recorded visitor actions.
    pub actions: Vec<Action>,
}

/// Highest steady client load accepted, in requests per virtual second.
pub const MAX_CLIENT_RATE: u32 = 10_000;

impl Scenario {
    /// The protocol-level setup, checking sizes, parameters and bug names against `info`.
    pub fn setup(&self, info: &ProtocolInfo) -> Result<Setup, String> {
        if self.nodes < info.min_nodes || self.nodes > info.max_nodes {
            return Err(format!(
                "{} runs with {} to {} nodes, not {}",
                info.title, info.min_nodes, info.max_nodes, self.nodes
            ));
        }
        let mut params = BTreeMap::new();
        for spec in &info.params {
            let v = self.params.get(spec.key).copied().unwrap_or(spec.default);
            if v < spec.min || v > spec.max {
                return Err(format!("{} must be {}", spec.label, spec.accepted()));
            }
            params.insert(spec.key.to_string(), v);
        }
        for bug in &self.bugs {
            if !info.bugs.iter().any(|b| b.key == bug) {
                return Err(format!("{} has no bug toggle named '{bug}'", info.title));
            }
        }
        if self.client_rate > MAX_CLIENT_RATE {
            return Err(format!(
                "client load above {MAX_CLIENT_RATE} requests/s is not supported"
            ));
        }
        let mut extra = Vec::new();
        for kind in &info.kinds {
            let count = params.get(kind.count).copied().unwrap_or(0) as usize;
            if count > 0 {
                extra.push(KindCount {
                    name: kind.name,
                    host: kind.host,
                    count,
                });
            }
        }
        Ok(Setup {
            nodes: self.nodes,
            extra,
            params,
            bugs: self.bugs.clone(),
            tuned: Vec::new(),
        })
    }
}
