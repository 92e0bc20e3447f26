//! What the replicas and the manager say to each other (messages) and to the trace (notes).

use crate::sim::workload::{Request, Response, describe_command};
use crate::sim::{JsonFields, JsonObject, Marker, Message, MsgView, NodeId, Note};

use super::replica::Role;

/// One write in a replica's history: the value a client wrote, stamped with the epoch of the
/// primary that first appended it. Writes are identified by their position (from 1) and epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Epoch of the primary that appended the write.
    pub epoch: u64,
    /// The value written (a client's command).
    pub value: u64,
}

/// A position in a history: its index (from 1; 0 before the first write) and the epoch of the
/// write there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// Epoch of the write at `index` (0 for index 0).
    pub epoch: u64,
    /// Index of the write.
    pub index: u64,
}

/// The manager's configuration: who is primary, who is a backup the primary waits for, who is
/// catching up. Every change gets a new `version`; a promotion also starts a new `epoch` (with
/// fencing on).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Numbers the manager's decisions; replicas keep the newest they heard.
    pub version: u64,
    /// The primary's epoch: its fencing token.
    pub epoch: u64,
    /// The primary, if the manager has one.
    pub primary: Option<NodeId>,
    /// Backups holding every acknowledged write: the ones the primary waits for, and the only
    /// ones the manager promotes.
    pub in_sync: Vec<NodeId>,
    /// Replicas catching up from the primary before they count.
    pub joining: Vec<NodeId>,
}

impl Config {
    /// Whether `node` is a member (primary, backup or joining).
    pub fn has(&self, node: NodeId) -> bool {
        self.primary == Some(node) || self.in_sync.contains(&node) || self.joining.contains(&node)
    }
}

impl JsonFields for Entry {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("epoch", self.epoch).u64("value", self.value);
    }
}

impl JsonFields for Pos {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("epoch", self.epoch).u64("index", self.index);
    }
}

/// Writes an optional primary: its id, or `null`.
fn write_primary(o: &mut JsonObject<'_>, primary: Option<NodeId>) {
    o.opt_u64("primary", primary.map(u64::from));
}

/// Writes a list of nodes as an array of ids.
fn write_nodes(o: &mut JsonObject<'_>, key: &str, nodes: &[NodeId]) {
    o.u64s(key, &mut nodes.iter().map(|&n| n.into()));
}

impl JsonFields for Config {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("version", self.version).u64("epoch", self.epoch);
        write_primary(o, self.primary);
        write_nodes(o, "in_sync", &self.in_sync);
        write_nodes(o, "joining", &self.joining);
    }
}

/// A message between replicas, the manager and clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Replica → manager, every heartbeat interval and whenever its checker changes its mind:
    /// alive, at this position, knowing this configuration, and suspecting these peers.
    Heartbeat {
        /// Configuration version the replica knows.
        version: u64,
        /// The replica's last write.
        last: Pos,
        /// Peers the replica's checker suspects.
        suspects: Vec<NodeId>,
    },
    /// Primary → backup: writes to append after `prev` (none: a heartbeat).
    Append {
        /// The primary's epoch.
        epoch: u64,
        /// The write just before `entries`.
        prev: Pos,
        /// Writes to append.
        entries: Vec<Entry>,
        /// Writes up to here are acknowledged.
        durable: u64,
    },
    /// Backup → primary: my history matches yours up to `matched`.
    AppendOk {
        /// The backup's epoch.
        epoch: u64,
        /// Last position known to match the primary's.
        matched: u64,
    },
    /// Backup → primary: my history does not hold your `prev`; it has `len` writes.
    AppendGap {
        /// The backup's epoch.
        epoch: u64,
        /// Length of the backup's history.
        len: u64,
    },
    /// Replica → old primary: your epoch is over (fencing).
    Fenced {
        /// The newer epoch.
        epoch: u64,
        /// Its primary, if known.
        primary: Option<NodeId>,
    },
    /// Primary → manager: this joining backup now holds every acknowledged write and is counted.
    CaughtUp {
        /// The configuration under which the primary counted it (the manager accepts only its
        /// current one: an older report may be about an earlier stay of the same replica).
        version: u64,
        /// The backup.
        backup: NodeId,
    },
    /// Manager → replicas: the current configuration.
    Config(Config),
    /// A workload client's write.
    Request(Request),
    /// The answer to a client's write.
    Response(Response),
}

impl Msg {
    /// The client answer this message carries, if it is one.
    pub fn response(&self) -> Option<Response> {
        match self {
            Msg::Response(r) => Some(*r),
            _ => None,
        }
    }

    /// The variant's name: the trace's `type` tag and the page's label.
    fn name(&self) -> &'static str {
        match self {
            Msg::Heartbeat { .. } => "Heartbeat",
            Msg::Append { .. } => "Append",
            Msg::AppendOk { .. } => "AppendOk",
            Msg::AppendGap { .. } => "AppendGap",
            Msg::Fenced { .. } => "Fenced",
            Msg::CaughtUp { .. } => "CaughtUp",
            Msg::Config(_) => "Config",
            Msg::Request(_) => "Request",
            Msg::Response(_) => "Response",
        }
    }
}

/// A message is an object tagged by `type` (the variant's name), then its fields.
impl JsonFields for Msg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.str("type", self.name());
        match self {
            Msg::Heartbeat {
                version,
                last,
                suspects,
            } => {
                o.u64("version", *version).object("last", last);
                write_nodes(o, "suspects", suspects);
            }
            Msg::Append {
                epoch,
                prev,
                entries,
                durable,
            } => {
                o.u64("epoch", *epoch)
                    .object("prev", prev)
                    .array("entries", &mut |a| {
                        for e in entries {
                            a.object(e);
                        }
                    })
                    .u64("durable", *durable);
            }
            Msg::AppendOk { epoch, matched } => {
                o.u64("epoch", *epoch).u64("matched", *matched);
            }
            Msg::AppendGap { epoch, len } => {
                o.u64("epoch", *epoch).u64("len", *len);
            }
            Msg::Fenced { epoch, primary } => {
                o.u64("epoch", *epoch);
                write_primary(o, *primary);
            }
            Msg::CaughtUp { version, backup } => {
                o.u64("version", *version).u64("backup", (*backup).into());
            }
            Msg::Config(c) => c.json_fields(o),
            Msg::Request(r) => r.json_fields(o),
            Msg::Response(r) => r.json_fields(o),
        }
    }
}

/// Nodes as people read them: "Node 2, 3", or "none".
pub fn names(nodes: &[NodeId]) -> String {
    let mut out = String::from("none");
    for (k, n) in nodes.iter().enumerate() {
        if k == 0 {
            out.clear();
            out.push_str("Node ");
        } else {
            out.push_str(", ");
        }
        out.push_str(&n.to_string());
    }
    out
}

impl Message for Msg {
    fn view(&self) -> MsgView {
        let (reply, success) = match self {
            Msg::AppendOk { .. } => (true, Some(true)),
            Msg::AppendGap { .. } | Msg::Fenced { .. } => (true, Some(false)),
            _ => (false, None),
        };
        let detail = match self {
            Msg::Heartbeat {
                version,
                last,
                suspects,
            } => format!(
                "at {}/{}, configuration {version}, suspects {}",
                last.index,
                last.epoch,
                names(suspects)
            ),
            Msg::Append {
                epoch,
                prev,
                entries,
                durable,
            } => format!(
                "epoch {epoch}, {} writes after {}/{}, acknowledged up to {durable}",
                entries.len(),
                prev.index,
                prev.epoch
            ),
            Msg::AppendOk { epoch, matched } => format!("epoch {epoch}, matches up to {matched}"),
            Msg::AppendGap { epoch, len } => format!("epoch {epoch}, holds only {len} writes"),
            Msg::Fenced { epoch, .. } => format!("epoch {epoch} has begun: refused"),
            Msg::CaughtUp { version, backup } => {
                format!("configuration {version}: Node {backup} caught up")
            }
            Msg::Config(c) => format!(
                "version {}, epoch {}, primary {}, backups {}, joining {}",
                c.version,
                c.epoch,
                names(c.primary.as_slice()),
                names(&c.in_sync),
                names(&c.joining)
            ),
            Msg::Request(r) => return r.view(),
            Msg::Response(r) => return r.view(),
        };
        MsgView {
            kind: self.name(),
            reply,
            success,
            detail,
        }
    }
}

/// Why the manager changed its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The manager's own checker suspects the node.
    Silent,
    /// Another replica's checker reported the node.
    Reported,
    /// The node is heard from again.
    Back,
    /// The node caught up with the primary.
    CaughtUp,
    /// The preferred primary is back in sync (failback).
    Failback,
}

impl Reason {
    /// The reason's name in the trace.
    fn name(self) -> &'static str {
        match self {
            Reason::Silent => "silent",
            Reason::Reported => "reported",
            Reason::Back => "back",
            Reason::CaughtUp => "caught_up",
            Reason::Failback => "failback",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Reason::Silent => "it fell silent",
            Reason::Reported => "a replica reported it",
            Reason::Back => "it is heard from again",
            Reason::CaughtUp => "it caught up",
            Reason::Failback => "failback to the preferred primary",
        }
    }
}

/// A fact for the trace and the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailoverNote {
    /// A checker started or stopped suspecting a node.
    Suspect {
        /// The node watched.
        about: NodeId,
        /// Suspected now (or trusted again).
        suspected: bool,
    },
    /// The manager promoted a backup.
    Promote {
        /// The new primary.
        primary: NodeId,
        /// Its epoch.
        epoch: u64,
        /// Why.
        why: Reason,
    },
    /// The manager took a node out of the configuration.
    Remove {
        /// The node.
        node: NodeId,
        /// Why.
        why: Reason,
    },
    /// The manager added a node to the configuration, as joining or as a counted backup.
    Admit {
        /// The node.
        node: NodeId,
        /// Why.
        why: Reason,
    },
    /// The primary is suspected and no backup holds every acknowledged write: no failover.
    Stuck {
        /// The suspected primary.
        primary: NodeId,
    },
    /// A replica took a role.
    Role {
        /// The role.
        role: Role,
        /// Its epoch.
        epoch: u64,
    },
    /// A replica dropped writes the primary does not hold.
    Truncate {
        /// Writes from this position on were dropped.
        from: u64,
    },
    /// A replica that is not the primary refused a write typed in the page.
    Refuse {
        /// The value.
        value: u64,
    },
    /// The primary acknowledged writes up to `index`.
    Durable {
        /// The last acknowledged position.
        index: u64,
        /// The value there.
        value: u64,
    },
}

impl JsonFields for FailoverNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match *self {
            FailoverNote::Suspect { about, suspected } => {
                o.u64("about", about.into()).bool("suspected", suspected);
            }
            FailoverNote::Promote {
                primary,
                epoch,
                why,
            } => {
                o.u64("primary", primary.into())
                    .u64("epoch", epoch)
                    .str("why", why.name());
            }
            FailoverNote::Remove { node, why } | FailoverNote::Admit { node, why } => {
                o.u64("node", node.into()).str("why", why.name());
            }
            FailoverNote::Stuck { primary } => {
                o.u64("primary", primary.into());
            }
            FailoverNote::Role { role, epoch } => {
                o.str("role", role.name()).u64("epoch", epoch);
            }
            FailoverNote::Truncate { from } => {
                o.u64("from", from);
            }
            FailoverNote::Refuse { value } => {
                o.u64("value", value);
            }
            FailoverNote::Durable { index, value } => {
                o.u64("index", index).u64("value", value);
            }
        }
    }
}

impl Note for FailoverNote {
    fn kind(&self) -> &'static str {
        match self {
            FailoverNote::Suspect { .. } => "suspect",
            FailoverNote::Promote { .. } => "promote",
            FailoverNote::Remove { .. } => "remove",
            FailoverNote::Admit { .. } => "admit",
            FailoverNote::Stuck { .. } => "stuck",
            FailoverNote::Role { .. } => "role",
            FailoverNote::Truncate { .. } => "truncate",
            FailoverNote::Refuse { .. } => "refuse",
            FailoverNote::Durable { .. } => "durable",
        }
    }

    fn describe(&self, node: NodeId) -> String {
        match *self {
            FailoverNote::Suspect {
                about,
                suspected: true,
            } => format!("Node {node} suspects Node {about}"),
            FailoverNote::Suspect { about, .. } => format!("Node {node} trusts Node {about} again"),
            FailoverNote::Promote {
                primary,
                epoch,
                why,
            } => format!(
                "Node {node} promoted Node {primary} to primary for epoch {epoch}: {}",
                why.text()
            ),
            FailoverNote::Remove { node: n, why } => {
                format!("Node {node} removed Node {n}: {}", why.text())
            }
            FailoverNote::Admit { node: n, why } => {
                format!("Node {node} admitted Node {n}: {}", why.text())
            }
            FailoverNote::Stuck { primary } => format!(
                "Node {node} suspects primary Node {primary} but has no backup in sync to promote"
            ),
            FailoverNote::Role {
                role: Role::Removed,
                epoch,
            } => format!("Node {node} is out of the configuration (epoch {epoch})"),
            FailoverNote::Role { role, epoch } => {
                format!("Node {node} became {} in epoch {epoch}", role.name())
            }
            FailoverNote::Truncate { from } => {
                format!("Node {node} dropped its writes from position {from} on")
            }
            FailoverNote::Refuse { value } => format!(
                "Node {node} is not the primary: it refused the write of {}",
                describe_command(value)
            ),
            FailoverNote::Durable { index, value } => format!(
                "Node {node} acknowledged writes up to {index} ({})",
                describe_command(value)
            ),
        }
    }

    fn headline(&self, node: NodeId) -> Option<String> {
        match self {
            FailoverNote::Promote { .. } | FailoverNote::Stuck { .. } => Some(self.describe(node)),
            _ => None,
        }
    }

    fn marker(&self) -> Option<Marker> {
        match self {
            FailoverNote::Role {
                role: Role::Primary,
                ..
            } => Some(Marker::Leader),
            FailoverNote::Durable { .. } => Some(Marker::Commit),
            _ => None,
        }
    }
}
