//! The protocol's node type: a replica or the manager, behind the one [`Node`] interface the
//! simulator drives.

use crate::sim::workload;
use crate::sim::{Ctx, MS, Micros, Node, NodeId, NodeView, Setup};

use super::manager::Manager;
use super::msg::{FailoverNote, Msg};
use super::replica::{Replica, Role};
use crate::protocols::detector::{Detector, Model};

/// Everything a run's replicas and manager share, from the setup.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// How many replicas (ids `1..=replicas`).
    pub replicas: usize,
    /// The manager's id.
    pub manager: NodeId,
    /// Heartbeat interval.
    pub heartbeat: Micros,
    /// How checkers decide.
    pub detector: Detector,
    /// Synchronous replication (acknowledge once every counted backup holds the write).
    pub sync: bool,
    /// Epochs checked on every message (fencing tokens).
    pub fencing: bool,
    /// The preferred primary takes its role back once caught up.
    pub failback: bool,
    /// Every replica answers reads from its own copy (else only the primary does).
    pub read_anywhere: bool,
}

impl Settings {
    /// The settings a setup describes.
    pub fn of(setup: &Setup) -> Self {
        let heartbeat = setup.param("heartbeat");
        let detector = match setup.param("detector") {
            0 => Detector::Timeout {
                after: setup.param("timeout"),
            },
            _ => Detector::Phi {
                threshold: setup.param("threshold") as f64,
                model: match setup.param("phi_model") {
                    0 => Model::Normal,
                    _ => Model::Exponential,
                },
                min_std: (heartbeat / 5).max(MS),
                acceptable_pause: 0,
            },
        };
        Settings {
            replicas: setup.nodes,
            manager: setup.nodes as NodeId + 1,
            heartbeat,
            detector,
            sync: setup.param("replication") == 0,
            fencing: setup.param("fencing") == 1,
            failback: setup.param("failback") == 1,
            read_anywhere: setup.param(workload::READ_FROM) == 1,
        }
    }

    /// How often checkers look: four times per heartbeat interval.
    pub fn check_every(&self) -> Micros {
        (self.heartbeat / 4).max(MS)
    }
}

/// The timers of replicas and the manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Send heartbeats (and, for the primary, appends).
    Beat,
    /// The checker looks at the components it watches.
    Check,
}

/// A node of a failover run.
#[derive(Clone, Debug)]
pub enum FailoverNode {
    /// A replica of the register.
    Replica(Box<Replica>),
    /// The manager.
    Manager(Box<Manager>),
}

impl FailoverNode {
    /// The replica, if this node is one.
    pub fn replica(&self) -> Option<&Replica> {
        match self {
            FailoverNode::Replica(r) => Some(r),
            FailoverNode::Manager(_) => None,
        }
    }

    /// The manager, if this node is it.
    pub fn manager(&self) -> Option<&Manager> {
        match self {
            FailoverNode::Manager(m) => Some(m),
            FailoverNode::Replica(_) => None,
        }
    }
}

impl Node for FailoverNode {
    type Msg = Msg;
    type Timer = Timer;
    type Note = FailoverNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            FailoverNode::Replica(r) => r.start(ctx),
            FailoverNode::Manager(m) => m.start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            FailoverNode::Replica(r) => r.on_message(ctx, from, msg),
            FailoverNode::Manager(m) => m.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (self, timer) {
            (FailoverNode::Replica(r), Timer::Beat) => r.beat(ctx),
            (FailoverNode::Replica(r), Timer::Check) => r.check(ctx),
            (FailoverNode::Manager(m), _) => m.check(ctx),
        }
    }

    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, command: u64) {
        match self {
            FailoverNode::Replica(r) => r.write(ctx, None, command),
            FailoverNode::Manager(_) => ctx.note(FailoverNote::Refuse { value: command }),
        }
    }

    /// Send heartbeats now (a replica), or look at every replica now (the manager).
    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.on_timer(ctx, Timer::Beat);
    }

    fn crash(&mut self) {
        match self {
            FailoverNode::Replica(r) => r.crash(),
            FailoverNode::Manager(m) => m.crash(),
        }
    }

    fn accepts_clients(&self) -> bool {
        self.replica().is_some_and(|r| r.role == Role::Primary)
    }

    fn is_countdown(_: &Timer) -> bool {
        false
    }

    fn view(&self) -> NodeView {
        match self {
            FailoverNode::Replica(r) => r.view(),
            FailoverNode::Manager(m) => m.view(),
        }
    }
}
