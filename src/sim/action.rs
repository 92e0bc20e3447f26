//! Visitor actions: the only inputs to a run besides its seed, recorded at exact points in time.

use super::json::{JsonFields, JsonObject};
use super::node::NodeId;
use super::time::Micros;

/// Network conditions; every field can be changed mid-run by an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetConfig {
    /// Shortest one-way latency in microseconds.
    pub latency_min: Micros,
    /// Longest one-way latency in microseconds.
    pub latency_max: Micros,
    /// Probability that a message is lost, in parts per million.
    pub loss_ppm: u32,
    /// Probability that a message is delivered twice, in parts per million.
    pub dup_ppm: u32,
}

impl NetConfig {
    /// Largest latency accepted anywhere (a minute of virtual time).
    pub const MAX_LATENCY: Micros = 60_000_000;

    /// Longest pause a node can be given (ten minutes of virtual time).
    pub const MAX_PAUSE: Micros = 600_000_000;

    /// Checks a latency range, naming what is wrong.
    pub fn validate_latency(lo: Micros, hi: Micros) -> Result<(), String> {
        if lo > hi {
            return Err(format!(
                "latency minimum {lo} µs is above the maximum {hi} µs"
            ));
        }
        if hi > Self::MAX_LATENCY {
            return Err("latency above 60 s is not supported".into());
        }
        Ok(())
    }

    /// Checks the ranges, naming what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        Self::validate_latency(self.latency_min, self.latency_max)?;
        if self.loss_ppm > 1_000_000 || self.dup_ppm > 1_000_000 {
            return Err("loss and duplication are percentages between 0 and 100".into());
        }
        Ok(())
    }
}

/// One thing a visitor did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// Stop a node; it loses volatile state and in-flight messages to it are dropped.
    Crash { node: NodeId },
    /// Start a crashed node again from its persistent state.
    Restart { node: NodeId },
    /// Make a node's main timeout fire now.
    Timeout { node: NodeId },
    /// A client sends the next command to a node.
    ClientRequest { node: NodeId },
    /// Remove one in-flight message before it arrives.
    DropMessage { id: u64 },
    /// Change latency, loss or duplication.
    SetNetwork { net: NetConfig },
    /// Split the cluster: `groups[i]` is node `i + 1`'s side; nodes on different sides cannot talk.
    Partition { groups: Vec<u8> },
    /// Cut the link between two nodes (both directions).
    CutLink { a: NodeId, b: NodeId },
    /// Restore the link between two nodes.
    RestoreLink { a: NodeId, b: NodeId },
    /// Remove every partition and cut link (one-way cuts too; slow links stay slow).
    Heal,
    /// Freeze a node for `duration` µs, as in a long garbage-collection pause: it handles
    /// nothing meanwhile (messages to it wait, its timers fire late), then resumes with its state.
    Pause { node: NodeId, duration: Micros },
    /// Cut one direction of a link: `to` no longer hears `from`, while `from` still hears `to`.
    CutOneWay { from: NodeId, to: NodeId },
    /// Give the direction `from` → `to` its own latency range (`None`: the network's again).
    LinkLatency {
        from: NodeId,
        to: NodeId,
        latency: Option<(Micros, Micros)>,
    },
    /// Switch chaos mode on at `rate` faults per 1,000 virtual seconds, or off (0): random
    /// crashes, restarts, pauses, partitions, one-way cuts and latency spikes, drawn from the
    /// run's seed (see `sim::chaos`).
    SetChaos { rate: u32 },
    /// Change a setting while the run goes on: a live parameter of the whole run (`node`
    /// `None`, e.g. the balancing policy) or a knob of one node (e.g. a server's speed); see
    /// [`super::LiveSpec`]. Choices are stored by position, as in links.
    SetParam {
        /// The node whose knob changes, or `None` for a run-wide parameter.
        node: Option<NodeId>,
        /// The setting's key.
        key: String,
        /// Its new value.
        value: u64,
    },
}

/// An action pinned to the exact point of the run where it happened: after `at_event` events,
/// at virtual time `t`. Replaying the same actions at the same points reproduces the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// How many events had been processed when the action was taken.
    pub at_event: u64,
    /// The virtual time when the action was taken.
    pub t: Micros,
    /// What was done.
    pub kind: ActionKind,
}

/// The trace writes the network's fields inside a `set_network` action.
impl JsonFields for NetConfig {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("latency_min", self.latency_min)
            .u64("latency_max", self.latency_max)
            .u64("loss_ppm", self.loss_ppm.into())
            .u64("dup_ppm", self.dup_ppm.into());
    }
}

/// An action line's fields: `action` (its name), then the action's own fields.
impl JsonFields for ActionKind {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            ActionKind::Crash { node } => o.str("action", "crash").u64("node", (*node).into()),
            ActionKind::Restart { node } => o.str("action", "restart").u64("node", (*node).into()),
            ActionKind::Timeout { node } => o.str("action", "timeout").u64("node", (*node).into()),
            ActionKind::ClientRequest { node } => o
                .str("action", "client_request")
                .u64("node", (*node).into()),
            ActionKind::DropMessage { id } => o.str("action", "drop_message").u64("id", *id),
            ActionKind::SetNetwork { net } => o.str("action", "set_network").object("net", net),
            ActionKind::Partition { groups } => o
                .str("action", "partition")
                .u64s("groups", &mut groups.iter().map(|&g| g.into())),
            ActionKind::CutLink { a, b } => o
                .str("action", "cut_link")
                .u64("a", (*a).into())
                .u64("b", (*b).into()),
            ActionKind::RestoreLink { a, b } => o
                .str("action", "restore_link")
                .u64("a", (*a).into())
                .u64("b", (*b).into()),
            ActionKind::Heal => o.str("action", "heal"),
            ActionKind::Pause { node, duration } => o
                .str("action", "pause")
                .u64("node", (*node).into())
                .u64("duration", *duration),
            ActionKind::CutOneWay { from, to } => o
                .str("action", "cut_one_way")
                .u64("from", (*from).into())
                .u64("to", (*to).into()),
            ActionKind::LinkLatency { from, to, latency } => {
                o.str("action", "link_latency")
                    .u64("from", (*from).into())
                    .u64("to", (*to).into());
                match latency {
                    Some((lo, hi)) => o.u64s("latency", &mut [*lo, *hi].into_iter()),
                    None => o.null("latency"),
                }
            }
            ActionKind::SetChaos { rate } => {
                o.str("action", "set_chaos").u64("rate", (*rate).into())
            }
            ActionKind::SetParam { node, key, value } => {
                o.str("action", "set_param");
                match node {
                    Some(node) => o.u64("node", (*node).into()),
                    None => o.null("node"),
                };
                o.str("key", key).u64("value", *value)
            }
        };
    }
}

impl ActionKind {
    /// A short sentence for the timeline and the live region.
    pub fn describe(&self) -> String {
        match self {
            ActionKind::Crash { node } => format!("Crashed Node {node}"),
            ActionKind::Restart { node } => format!("Restarted Node {node}"),
            ActionKind::Timeout { node } => format!("Forced a timeout on Node {node}"),
            ActionKind::ClientRequest { node } => format!("Client request to Node {node}"),
            ActionKind::DropMessage { id } => format!("Dropped message #{id}"),
            ActionKind::SetNetwork { net } => format!(
                "Network: latency {}–{} ms, loss {}%, duplication {}%",
                super::param::millis(net.latency_min),
                super::param::millis(net.latency_max),
                super::decimal::scaled(net.loss_ppm.into(), 4),
                super::decimal::scaled(net.dup_ppm.into(), 4)
            ),
            ActionKind::Partition { groups } => {
                let mut sides: Vec<Vec<String>> = Vec::new();
                // The side numbers present, in increasing order (without a sort, which the
                // web build would carry one more copy of just for this).
                let keys = (0..=u8::MAX).filter(|k| groups.contains(k));
                for k in keys {
                    sides.push(
                        groups
                            .iter()
                            .enumerate()
                            .filter(|(_, g)| **g == k)
                            .map(|(i, _)| (i + 1).to_string())
                            .collect(),
                    );
                }
                let text: Vec<String> = sides
                    .iter()
                    .map(|s| format!("{{{}}}", s.join(",")))
                    .collect();
                format!("Partitioned the network into {}", text.join(" | "))
            }
            ActionKind::CutLink { a, b } => format!("Cut the link between Node {a} and Node {b}"),
            ActionKind::RestoreLink { a, b } => {
                format!("Restored the link between Node {a} and Node {b}")
            }
            ActionKind::Heal => "Healed the network".into(),
            ActionKind::Pause { node, duration } => {
                format!(
                    "Paused Node {node} for {} ms",
                    super::param::millis(*duration)
                )
            }
            ActionKind::CutOneWay { from, to } => {
                format!("Cut one way: Node {to} no longer hears Node {from}")
            }
            ActionKind::LinkLatency {
                from,
                to,
                latency: Some((lo, hi)),
            } => format!(
                "Latency from Node {from} to Node {to}: {}–{} ms",
                super::param::millis(*lo),
                super::param::millis(*hi)
            ),
            ActionKind::LinkLatency {
                from,
                to,
                latency: None,
            } => format!("Latency from Node {from} to Node {to} back to the network's"),
            ActionKind::SetChaos { rate: 0 } => "Chaos off".into(),
            ActionKind::SetChaos { rate } => format!(
                "Chaos on: {} faults per virtual second",
                super::chaos::format_rate(*rate)
            ),
            ActionKind::SetParam {
                node: None,
                key,
                value,
            } => format!("Set {key} to {value}"),
            ActionKind::SetParam {
                node: Some(node),
                key,
                value,
            } => format!("Set Node {node}'s {key} to {value}"),
        }
    }

    /// The nodes an action names, for validating it against a cluster size.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            ActionKind::Crash { node }
            | ActionKind::Restart { node }
            | ActionKind::Timeout { node }
            | ActionKind::ClientRequest { node }
            | ActionKind::Pause { node, .. } => vec![*node],
            ActionKind::CutLink { a, b } | ActionKind::RestoreLink { a, b } => vec![*a, *b],
            ActionKind::CutOneWay { from, to } | ActionKind::LinkLatency { from, to, .. } => {
                vec![*from, *to]
            }
            ActionKind::SetParam {
                node: Some(node), ..
            } => vec![*node],
            _ => Vec::new(),
        }
    }
}
