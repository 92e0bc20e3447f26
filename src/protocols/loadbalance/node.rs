//! The protocol's node type: the balancer or a server, behind the one [`Node`] interface the
//! simulator drives; and the run's settings.

use std::ops::RangeInclusive;

use super::SERVER;
use super::balancer::{self, Balancer};
use super::hashing::Scheme;
use super::msg::{LbNote, Msg};
use super::policy::{Hashing, Policy};
use super::server::Server;
use crate::protocols::detector::{Detector, Model};
use crate::sim::{Ctx, MS, Micros, Node, NodeId, NodeView, Setup};

/// Everything a run's balancer and servers share, from the setup.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The balancer's id (the main kind's one node).
    pub balancer: NodeId,
    /// The servers' ids.
    pub servers: RangeInclusive<NodeId>,
    /// How the balancer picks a server.
    pub policy: Policy,
    /// Consistent hashing's scheme, virtual nodes and load bound.
    pub hashing: Hashing,
    /// How stale the loads p2c reads may be (µs; 0: as fresh as the last answer).
    pub staleness: Micros,
    /// Distinct request keys.
    pub keys: u64,
    /// Work per request at normal speed, from `cost_min` to `cost_max` (µs).
    pub cost: (Micros, Micros),
    /// Workers per server.
    pub workers: usize,
    /// Queue places per server.
    pub queue: usize,
    /// The slow server (a straggler), if any, and its speed in percent.
    pub straggler: Option<(NodeId, u64)>,
    /// Weights follow speeds (else all equal).
    pub weights_by_speed: bool,
    /// Health-check interval.
    pub health_every: Micros,
    /// How the balancer's health checks decide.
    pub detector: Detector,
    /// How often servers sample their queue and utilisation.
    pub sample_every: Micros,
    /// The deliberate bugs switched on.
    pub bugs: Bugs,
}

/// The deliberate bugs of load balancing (see [`super::BUGS`]), each caught by the checker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bugs {
    /// The balancer drops a suspected server's requests without answering or counting them.
    pub forget_silently: bool,
    /// The balancer relays a suspected server's late answers to requests it already failed.
    pub relay_late_answers: bool,
    /// A server's queue takes one request more than it has places.
    pub queue_off_by_one: bool,
}

impl Settings {
    /// The settings a setup describes. Never inlined: its callers (new nodes, the checker,
    /// validation, the knobs' initial values) share one copy in the web build.
    #[inline(never)]
    pub fn of(setup: &Setup) -> Self {
        let health_every = setup.param("health");
        let servers = setup.ids_of(SERVER);
        let straggler = match setup.param("straggler") {
            0 => None,
            k => Some((
                *servers.start() + k as NodeId - 1,
                setup.param("straggler_speed"),
            )),
        };
        Settings {
            balancer: 1,
            servers,
            policy: Policy::from_index(setup.param("policy")),
            hashing: Hashing {
                scheme: Scheme::from_index(setup.param("hashing")),
                vnodes: setup.param("vnodes") as u32,
                bound: setup.param("bound") as f64 / 100.0,
            },
            staleness: setup.param("staleness"),
            keys: setup.param("keys"),
            cost: (setup.param("cost_min"), setup.param("cost_max")),
            workers: setup.param("workers") as usize,
            queue: setup.param("queue") as usize,
            straggler,
            weights_by_speed: setup.param("weights") == 1,
            health_every,
            detector: match setup.param("detector") {
                0 => Detector::Timeout {
                    after: setup.param("timeout"),
                },
                _ => Detector::Phi {
                    threshold: setup.param("threshold") as f64,
                    model: Model::Normal,
                    min_std: (health_every / 5).max(MS),
                    acceptable_pause: 0,
                },
            },
            sample_every: 100 * MS,
            bugs: Bugs {
                forget_silently: setup.bug(super::BUG_FORGET_SILENTLY),
                relay_late_answers: setup.bug(super::BUG_RELAY_LATE_ANSWERS),
                queue_off_by_one: setup.bug(super::BUG_QUEUE_OFF_BY_ONE),
            },
        }
    }

    /// Server `id`'s speed in percent of normal.
    pub fn speed_of(&self, id: NodeId) -> u64 {
        match self.straggler {
            Some((slow, speed)) if slow == id => speed.max(1),
            _ => 100,
        }
    }

    /// Server `id`'s weight for the weighted policy: its speed in tenths with weights by
    /// speed (a quarter-speed straggler weighs 2 against 10), else 1.
    pub fn weight_of(&self, id: NodeId) -> u32 {
        if self.weights_by_speed {
            (self.speed_of(id) / 10).max(1) as u32
        } else {
            1
        }
    }

    /// The work request `command` takes.
    pub fn cost_of(&self, command: u64) -> Micros {
        balancer::cost(command, self.cost.0, self.cost.1)
    }
}

/// The timers of the balancer and the servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The balancer's health checks are due.
    Check,
    /// A server finished the request with this ticket.
    Finish(u64),
    /// A server samples its queue and utilisation.
    Sample,
}

/// A node of a load-balancing run.
#[derive(Clone, Debug)]
pub enum LbNode {
    /// The balancer.
    Balancer(Box<Balancer>),
    /// A server.
    Server(Box<Server>),
}

impl LbNode {
    /// The balancer, if this node is it.
    pub fn balancer(&self) -> Option<&Balancer> {
        match self {
            LbNode::Balancer(b) => Some(b),
            LbNode::Server(_) => None,
        }
    }

    /// The server, if this node is one.
    pub fn server(&self) -> Option<&Server> {
        match self {
            LbNode::Server(s) => Some(s),
            LbNode::Balancer(_) => None,
        }
    }
}

impl Node for LbNode {
    type Msg = Msg;
    type Timer = Timer;
    type Note = LbNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            LbNode::Balancer(b) => b.start(ctx),
            LbNode::Server(s) => s.start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            LbNode::Balancer(b) => b.on_message(ctx, from, msg),
            LbNode::Server(s) => s.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (self, timer) {
            (LbNode::Balancer(b), Timer::Check) => b.check(ctx),
            (LbNode::Server(s), Timer::Finish(ticket)) => s.finish(ctx, ticket),
            (LbNode::Server(s), Timer::Sample) => s.sample(ctx),
            _ => {}
        }
    }

    fn on_client_request(&mut self, _ctx: &mut Ctx<'_, Self>, _command: u64) {
        // Requests come from the client nodes.
    }

    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let LbNode::Balancer(b) = self {
            b.check(ctx);
        }
    }

    fn crash(&mut self) {
        match self {
            LbNode::Balancer(b) => b.crash(),
            LbNode::Server(s) => s.crash(),
        }
    }

    fn on_param(&mut self, _now: Micros, about: Option<NodeId>, key: &str, value: u64) {
        match self {
            LbNode::Balancer(b) => b.on_param(about, key, value),
            LbNode::Server(s) if about == Some(s.id()) => s.on_param(key, value),
            LbNode::Server(_) => {}
        }
    }

    fn accepts_clients(&self) -> bool {
        matches!(self, LbNode::Balancer(_))
    }

    fn is_countdown(_timer: &Timer) -> bool {
        false
    }

    fn view(&self) -> NodeView {
        let (role, fields, queue) = match self {
            LbNode::Balancer(b) => ("balancer", b.fields(), Vec::new()),
            LbNode::Server(s) => (SERVER, s.fields(), s.waiting_since()),
        };
        NodeView {
            role,
            epoch: 0,
            log: Vec::new(),
            log_len: 0,
            log_committed: 0,
            fields,
            has_log: false,
            lead_claim: None,
            queue,
        }
    }
}
