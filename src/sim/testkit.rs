//! A tiny protocol for testing the engine itself: every node pings the next one on a timer
//! and counts the pongs. It has one invariant that a bug toggle can break.

use super::json::{JsonFields, JsonObject};
use super::metrics::{Series, SeriesKind};
use super::node::*;
use super::time::MS;

/// The test protocol's one metric: each node's pong count after every pong.
pub const PONGS: Series = Series {
    name: "pongs",
    kind: SeriesKind::Gauge,
    title: "Pongs counted",
};

/// The test protocol.
pub struct Ping;

/// A node of the test protocol.
#[derive(Clone, Debug, Default)]
pub struct PingNode {
    /// Pongs received (volatile).
    pub pongs: u64,
    /// Restarts seen (persistent).
    pub boots: u64,
    lie: bool,
}

/// Test protocol messages.
#[derive(Clone, Debug)]
pub enum PingMsg {
    /// A request.
    Ping,
    /// A reply.
    Pong,
}

/// Test protocol notes.
#[derive(Clone, Debug)]
pub enum PingNote {
    /// Counted a pong.
    Pong { count: u64 },
}

impl JsonFields for PingMsg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.str("type", self.view().kind);
    }
}

impl JsonFields for PingNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        let PingNote::Pong { count } = self;
        o.u64("count", *count);
    }
}

impl Message for PingMsg {
    fn view(&self) -> MsgView {
        match self {
            PingMsg::Ping => MsgView {
                kind: "Ping",
                ..MsgView::default()
            },
            PingMsg::Pong => MsgView {
                kind: "Pong",
                reply: true,
                success: Some(true),
                ..MsgView::default()
            },
        }
    }
}

impl Note for PingNote {
    fn kind(&self) -> &'static str {
        "pong"
    }
    fn describe(&self, node: NodeId) -> String {
        match self {
            PingNote::Pong { count } => format!("Node {node} has counted {count} pongs"),
        }
    }
    fn headline(&self, _: NodeId) -> Option<String> {
        None
    }
}

impl Node for PingNode {
    type Msg = PingMsg;
    type Timer = ();
    type Note = PingNote;
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.boots += 1;
        let d = ctx.random_range(5 * MS, 20 * MS);
        ctx.set_timer((), d);
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: PingMsg) {
        match msg {
            PingMsg::Ping => ctx.send(from, PingMsg::Pong),
            PingMsg::Pong => {
                self.pongs += if self.lie { 2 } else { 1 };
                ctx.note(PingNote::Pong { count: self.pongs });
                ctx.record(PONGS, self.pongs as i64);
            }
        }
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: ()) {
        let to = ctx.me() % ctx.cluster_size() as NodeId + 1;
        if to != ctx.me() {
            ctx.send(to, PingMsg::Ping);
        }
        ctx.set_timer((), 10 * MS);
    }
    fn on_client_request(&mut self, _: &mut Ctx<'_, Self>, _: u64) {}
    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer((), 0);
    }
    fn crash(&mut self) {
        self.pongs = 0;
    }
    fn accepts_clients(&self) -> bool {
        true
    }
    fn is_countdown(_: &()) -> bool {
        true
    }
    fn view(&self) -> NodeView {
        NodeView {
            role: "pinger",
            epoch: self.boots,
            log: Vec::new(),
            log_len: 0,
            log_committed: 0,
            fields: vec![("pongs", self.pongs.to_string())],
            ..NodeView::default()
        }
    }
}

/// Checks that no node counts more pongs than pings it could have sent.
#[derive(Clone, Debug)]
pub struct PingChecker;

impl Checker<PingNode> for PingChecker {
    fn check(
        &mut self,
        now: u64,
        nodes: &[PingNode],
        _: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let n = &nodes[touched as usize - 1];
        if n.pongs > now / (10 * MS) + 1 {
            found.push(Finding {
                invariant: "Honest Count",
                detail: format!("Node {touched} counted {} pongs", n.pongs),
            });
        }
    }
}

impl Protocol for Ping {
    type Node = PingNode;
    type Checker = PingChecker;
    fn info() -> ProtocolInfo {
        ProtocolInfo {
            name: "ping",
            title: "Ping",
            min_nodes: 1,
            max_nodes: 9,
            default_nodes: 3,
            default_latency: (1_000, 3_000),
            params: Vec::new(),
            bugs: vec![BugSpec {
                key: "lie",
                description: "counts every pong twice",
            }],
            invariants: vec![InvariantSpec {
                name: "Honest Count",
                statement: "pongs never outnumber pings",
            }],
            roles: vec!["pinger"],
            epoch_name: "boot",
            client_label: "Ping",
            timeout_label: "Time out",
            series: vec![PONGS],
            kinds: Vec::new(),
            picture: super::Picture::default(),
            compare: super::CompareSpec::default(),
            live: super::LiveSpec::default(),
        }
    }
    fn new_node(_: NodeId, setup: &Setup) -> PingNode {
        PingNode {
            lie: setup.bug("lie"),
            ..PingNode::default()
        }
    }
    fn new_checker(_: &Setup) -> PingChecker {
        PingChecker
    }
}
