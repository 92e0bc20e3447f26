//! A run's settings, read once from the setup: the design (`mode`) and its knobs.

use super::version::Reconcile;
use crate::protocols::raft;
use crate::sim::{Micros, Setup};

/// The designs, as the `mode` parameter names them.
pub const MODES: &[&str] = &[
    "raft",
    "raft-readindex",
    "raft-lease",
    "raft-follower",
    "quorum",
];

/// How a read of a leaderless store treats the stale copies it finds, the `read_repair`
/// parameter.
pub const REPAIRS: &[&str] = &["blocking", "background", "off"];

/// The store's design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every operation, reads included, goes through the Raft log.
    Raft,
    /// Writes through the log; the leader answers reads once a round of heartbeats confirms it
    /// still leads and it has applied up to the commit index it saw (§6.4 of Ongaro's thesis).
    ReadIndex,
    /// As ReadIndex, but while its lease (measured on its own clock) holds the leader answers
    /// reads at once; a clock that runs slow stretches the lease past the followers' patience.
    Lease,
    /// Writes through the log; any replica answers reads from its own applied copy.
    Follower,
    /// Leaderless, Dynamo-style: a coordinator writes to `w` and reads from `r` of the replicas;
    /// the last writer by its clock wins, or version vectors keep concurrent writes.
    Quorum,
}

impl Mode {
    /// Whether replicas run Raft.
    pub fn is_raft(self) -> bool {
        self != Mode::Quorum
    }
}

/// How a quorum read repairs stale copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Writes the newest version back to `w` replicas before answering (as ABD does).
    Blocking,
    /// Sends the newest version to the stale replicas and answers at once.
    Background,
    /// Leaves stale copies to anti-entropy.
    Off,
}

/// Everything replicas and clients share, from the setup.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// The design.
    pub mode: Mode,
    /// Replicas (ids `1..=replicas`).
    pub replicas: usize,
    /// Keys the clients use.
    pub keys: usize,
    /// Operations per second per client (the mean of an exponential think time).
    pub rate: u64,
    /// Percent of operations that are reads.
    pub reads: u64,
    /// Percent that are compare-and-sets (none in quorum mode: they need consensus).
    pub cas: u64,
    /// How long a client waits for an answer before it records the outcome as unknown.
    pub timeout: Micros,
    /// The Raft servers' configuration.
    pub raft: raft::Config,
    /// A leader lease's length, on the leader's clock.
    pub lease: Micros,
    /// Clock offsets are drawn in ±`skew` µs.
    pub skew: u64,
    /// Clock rates are drawn in ±`drift` ppm.
    pub drift: u64,
    /// Quorum: replicas a read waits for.
    pub r: usize,
    /// Quorum: replicas a write waits for.
    pub w: usize,
    /// Quorum: read repair.
    pub repair: Repair,
    /// Quorum: anti-entropy interval (0: off).
    pub anti_entropy: Micros,
    /// Quorum: how replicas reconcile versions.
    pub reconcile: Reconcile,
}

impl Settings {
    /// The settings a setup describes.
    pub fn of(setup: &Setup) -> Self {
        let mode = match setup.param("mode") {
            0 => Mode::Raft,
            1 => Mode::ReadIndex,
            2 => Mode::Lease,
            3 => Mode::Follower,
            _ => Mode::Quorum,
        };
        Settings {
            mode,
            replicas: setup.nodes,
            keys: setup.param("keys") as usize,
            rate: setup.param("rate"),
            reads: setup.param("reads"),
            cas: if mode == Mode::Quorum {
                0
            } else {
                setup.param("cas").min(100 - setup.param("reads"))
            },
            timeout: setup.param("timeout"),
            raft: raft::Raft::config(setup),
            lease: setup.param("lease"),
            skew: setup.param("skew"),
            drift: setup.param("drift"),
            r: setup.param("r") as usize,
            w: setup.param("w") as usize,
            repair: match setup.param("read_repair") {
                0 => Repair::Blocking,
                1 => Repair::Background,
                _ => Repair::Off,
            },
            anti_entropy: setup.param("anti_entropy"),
            reconcile: match setup.param("reconcile") {
                0 => Reconcile::Lww,
                _ => Reconcile::Vectors,
            },
        }
    }

    /// Votes or copies a majority needs.
    pub fn majority(&self) -> usize {
        self.replicas / 2 + 1
    }
}
