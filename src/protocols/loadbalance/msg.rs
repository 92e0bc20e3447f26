//! What clients, the balancer and the servers say to each other (messages) and to the trace
//! (notes).

use crate::sim::workload::{Request, Response};
use crate::sim::{JsonFields, JsonObject, Message, Micros, MsgView, NodeId, Note};

/// A message of a load-balancing run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Client → balancer: a request.
    Request(Request),
    /// Balancer → client: its answer (done, or dropped by a full queue).
    Response(Response),
    /// Balancer → server: serve `ticket`, which costs `cost` µs of work at normal speed.
    Forward {
        /// The balancer's number for the request.
        ticket: u64,
        /// Work the request takes on a server of normal speed.
        cost: Micros,
    },
    /// Server → balancer: `ticket` is served; the server now holds `load` requests.
    Served {
        /// The request served.
        ticket: u64,
        /// Requests in service or queued at the server after this one.
        load: u32,
    },
    /// Server → balancer: `ticket` was dropped, the queue being full.
    Shed {
        /// The request dropped.
        ticket: u64,
        /// Requests in service or queued at the server.
        load: u32,
    },
    /// Balancer → server: a health check.
    Ping,
    /// Server → balancer: alive, holding `load` requests.
    Pong {
        /// Requests in service or queued at the server.
        load: u32,
    },
}

impl Msg {
    /// The answer a message carries, if it is one (for the workload clients).
    pub fn response(&self) -> Option<Response> {
        match self {
            Msg::Response(r) => Some(*r),
            _ => None,
        }
    }
}

impl JsonFields for Msg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match *self {
            Msg::Request(ref r) => r.json_fields(o.str("type", "Request")),
            Msg::Response(ref r) => r.json_fields(o.str("type", "Response")),
            Msg::Forward { ticket, cost } => {
                o.str("type", "Forward")
                    .u64("ticket", ticket)
                    .u64("cost", cost);
            }
            Msg::Served { ticket, load } => {
                o.str("type", "Served")
                    .u64("ticket", ticket)
                    .u64("load", load.into());
            }
            Msg::Shed { ticket, load } => {
                o.str("type", "Shed")
                    .u64("ticket", ticket)
                    .u64("load", load.into());
            }
            Msg::Ping => {
                o.str("type", "Ping");
            }
            Msg::Pong { load } => {
                o.str("type", "Pong").u64("load", load.into());
            }
        }
    }
}

impl Message for Msg {
    fn view(&self) -> MsgView {
        let (kind, reply, success, detail) = match *self {
            Msg::Request(ref r) => return r.view(),
            Msg::Response(ref r) => return r.view(),
            Msg::Forward { ticket, cost } => (
                "Forward",
                false,
                None,
                format!("ticket {ticket}, {} µs of work", cost),
            ),
            Msg::Served { ticket, load } => (
                "Served",
                true,
                Some(true),
                format!("ticket {ticket} served, {load} left at the server"),
            ),
            Msg::Shed { ticket, load } => (
                "Shed",
                true,
                Some(false),
                format!("ticket {ticket} dropped: the queue is full ({load} held)"),
            ),
            Msg::Ping => ("Ping", false, None, "health check".to_string()),
            Msg::Pong { load } => ("Pong", true, Some(true), format!("alive, {load} held")),
        };
        MsgView {
            kind,
            reply,
            success,
            detail,
        }
    }
}

/// What the balancer and servers write to the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LbNote {
    /// The balancer sent `ticket` to `server`.
    Route {
        /// The request's ticket.
        ticket: u64,
        /// The server chosen.
        server: NodeId,
    },
    /// The balancer found no healthy server for `ticket`: it failed at once.
    NoServer {
        /// The request's ticket.
        ticket: u64,
    },
    /// A server's queue was full: it dropped `ticket`.
    Drop {
        /// The request's ticket.
        ticket: u64,
    },
    /// The balancer's health checks now suspect (or trust again) `server`.
    Health {
        /// The server.
        server: NodeId,
        /// Suspected (true) or trusted again (false).
        suspected: bool,
        /// The requests it held that failed with it (on suspicion; 0 when trusted again).
        failed: u32,
    },
}

impl JsonFields for LbNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match *self {
            LbNote::Route { ticket, server } => {
                o.u64("ticket", ticket).u64("server", server.into());
            }
            LbNote::NoServer { ticket } | LbNote::Drop { ticket } => {
                o.u64("ticket", ticket);
            }
            LbNote::Health {
                server,
                suspected,
                failed,
            } => {
                o.u64("server", server.into())
                    .bool("suspected", suspected)
                    .u64("failed", failed.into());
            }
        }
    }
}

impl Note for LbNote {
    fn kind(&self) -> &'static str {
        match self {
            LbNote::Route { .. } => "route",
            LbNote::NoServer { .. } => "no_server",
            LbNote::Drop { .. } => "drop",
            LbNote::Health { .. } => "health",
        }
    }

    fn describe(&self, node: NodeId) -> String {
        match *self {
            LbNote::Route { ticket, server } => {
                format!("Node {node} sent ticket {ticket} to Node {server}")
            }
            LbNote::NoServer { ticket } => {
                format!("Node {node} has no healthy server for ticket {ticket}: it failed")
            }
            LbNote::Drop { ticket } => {
                format!("Node {node} dropped ticket {ticket}: its queue is full")
            }
            LbNote::Health {
                server,
                suspected: true,
                failed: 0,
            } => format!("Node {node} suspects Node {server}: no more requests go there"),
            LbNote::Health {
                server,
                suspected: true,
                failed,
            } => format!(
                "Node {node} suspects Node {server}: the {failed} {} it held failed, no more go there",
                if failed == 1 { "request" } else { "requests" }
            ),
            LbNote::Health { server, .. } => {
                format!("Node {node} trusts Node {server} again")
            }
        }
    }

    fn headline(&self, node: NodeId) -> Option<String> {
        match self {
            LbNote::Health { .. } => Some(self.describe(node)),
            _ => None,
        }
    }
}
