//! The manager: hears every replica's heartbeat and its checker's report, declares replicas
//! failed, and changes the configuration: promotes the most up-to-date backup when the primary
//! fails, removes failed backups so that writes go on, admits replicas that are back, and hands
//! the primary's role back to the preferred replica once it has caught up (failback).
//!
//! It is one node: a single point of failure. While it is down nothing fails over, and the page
//! says so.

use crate::sim::{Ctx, NodeId, NodeView};

use super::metrics;
use super::msg::{Config, FailoverNote, Msg, Pos, Reason, names};
use super::node::{FailoverNode, Settings, Timer};
use super::watch::Watch;

/// The replica the manager makes primary first, and hands the role back to on failback.
pub const PREFERRED: NodeId = 1;

/// Takes `node` out of `list` (one function for every such removal: each `retain` with its
/// own closure would be its own copy of `retain` in the page).
#[inline(never)]
fn remove(list: &mut Vec<NodeId>, node: NodeId) {
    list.retain(|&n| n != node);
}

/// What the manager knows of one replica (one vector of these rather than one per field: each
/// vector type costs the page its own code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Heard {
    /// The peers its checker last reported suspected, as a bit set (bit `r` for replica `r`).
    reports: u64,
    /// Its last write, from its heartbeat.
    last: Pos,
    /// Why the manager holds it failed, if it does.
    failed: Option<Reason>,
}

/// The manager node.
#[derive(Clone, Debug)]
pub struct Manager {
    s: Settings,
    /// The configuration (on disk).
    pub config: Config,
    watch: Watch,
    /// Per replica (id − 1).
    heard: Vec<Heard>,
    /// Whether a failover without a candidate was reported already.
    stuck: bool,
}

impl Manager {
    /// The manager of a run configured by `s`: replica 1 primary, every other one a backup.
    pub fn new(s: Settings) -> Self {
        let n = s.replicas;
        let mut in_sync = Vec::new();
        for r in 2..=n as NodeId {
            in_sync.push(r);
        }
        Manager {
            s,
            config: Config {
                version: 1,
                epoch: 1,
                primary: Some(PREFERRED),
                in_sync,
                joining: Vec::new(),
            },
            watch: Watch::default(),
            heard: vec![Heard::default(); n],
            stuck: false,
        }
    }

    /// Whether the manager holds replica `r` failed.
    pub fn holds_failed(&self, r: NodeId) -> bool {
        self.heard[r as usize - 1].failed.is_some()
    }

    fn replicas(&self) -> impl Iterator<Item = NodeId> + use<> {
        1..=self.s.replicas as NodeId
    }

    pub(super) fn start(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let mut all = Vec::new();
        for r in self.replicas() {
            all.push(r);
        }
        self.watch.set(&all, ctx.now(), self.s.heartbeat);
        self.broadcast(ctx);
        ctx.set_timer(Timer::Check, self.s.check_every());
    }

    /// Whether replica `r` hears the configuration: members do, and every node the manager
    /// does not hold failed. A node it removed as dead hears nothing until it is trusted again
    /// (so a deposed primary that is in fact alive keeps believing it is primary: what fencing
    /// is for).
    fn told(&self, r: NodeId) -> bool {
        !self.holds_failed(r) || self.config.has(r)
    }

    fn broadcast(&self, ctx: &mut Ctx<'_, FailoverNode>) {
        for r in self.replicas() {
            if self.told(r) {
                ctx.send(r, Msg::Config(self.config.clone()));
            }
        }
    }

    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, FailoverNode>, from: NodeId, msg: Msg) {
        let Some(i) = (from as usize)
            .checked_sub(1)
            .filter(|&i| i < self.s.replicas)
        else {
            return;
        };
        match msg {
            Msg::Heartbeat {
                version,
                last,
                suspects,
            } => {
                self.watch.heard(from, ctx.now());
                let mut set = 0;
                for r in suspects {
                    set |= 1 << r;
                }
                self.heard[i].last = last;
                self.heard[i].reports = set;
                if version < self.config.version && self.told(from) {
                    ctx.send(from, Msg::Config(self.config.clone()));
                }
                self.decide(ctx);
            }
            Msg::CaughtUp { version, backup }
                if self.config.primary == Some(from)
                    && version == self.config.version
                    && self.config.joining.contains(&backup) =>
            {
                remove(&mut self.config.joining, backup);
                self.config.in_sync.push(backup);
                ctx.note(FailoverNote::Admit {
                    node: backup,
                    why: Reason::CaughtUp,
                });
                self.changed(ctx);
                self.decide(ctx);
            }
            _ => {}
        }
    }

    /// The manager's own checker looks at every replica.
    pub(super) fn check(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        self.watch.check(&self.s.detector, ctx);
        // Charted up to twice the threshold: beyond, a crashed node's φ only climbs off the
        // chart.
        let cap = 2.0 * self.s.detector.threshold();
        for r in self.replicas() {
            let level = self.watch.level(r).unwrap_or(0.0).min(cap);
            ctx.record_about(metrics::SUSPICION, r, (level * 100.0).round() as i64);
        }
        self.decide(ctx);
        ctx.set_timer(Timer::Check, self.s.check_every());
    }

    /// Why replica `r` counts as failed, if it does: the manager's own checker suspects it, or
    /// the checker of a replica the manager trusts reports it.
    fn why_failed(&self, r: NodeId) -> Option<Reason> {
        if self.watch.suspected(r) {
            return Some(Reason::Silent);
        }
        for q in self.replicas() {
            if q != r
                && !self.watch.suspected(q)
                && self.heard[q as usize - 1].reports & 1 << r != 0
            {
                return Some(Reason::Reported);
            }
        }
        None
    }

    /// Brings the configuration in line with what the manager now believes.
    fn decide(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        for r in self.replicas() {
            self.heard[r as usize - 1].failed = self.why_failed(r);
        }
        let heard = &self.heard;
        let failed = |r: NodeId| heard[r as usize - 1].failed;
        let mut changed = false;
        let c = &mut self.config;
        if let Some(p) = c.primary
            && let Some(reason) = failed(p)
        {
            // The most up-to-date backup that holds every acknowledged write.
            // (Position first, then the lowest id.)
            let rank = |b: NodeId| (self.heard[b as usize - 1].last, std::cmp::Reverse(b));
            let mut best: Option<NodeId> = None;
            for &b in &c.in_sync {
                if failed(b).is_none() && best.is_none_or(|x| rank(b) > rank(x)) {
                    best = Some(b);
                }
            }
            match best {
                Some(b) => {
                    remove(&mut c.in_sync, b);
                    c.primary = Some(b);
                    c.epoch += u64::from(self.s.fencing);
                    ctx.note(FailoverNote::Promote {
                        primary: b,
                        epoch: c.epoch,
                        why: reason,
                    });
                    changed = true;
                    self.stuck = false;
                }
                None if !self.stuck => {
                    ctx.note(FailoverNote::Stuck { primary: p });
                    self.stuck = true;
                }
                None => {}
            }
        }
        for r in 1..=self.s.replicas as NodeId {
            let member = c.in_sync.contains(&r) || c.joining.contains(&r);
            match failed(r) {
                Some(why) if member => {
                    remove(&mut c.in_sync, r);
                    remove(&mut c.joining, r);
                    ctx.note(FailoverNote::Remove { node: r, why });
                    changed = true;
                }
                None if !c.has(r) => {
                    c.joining.push(r);
                    ctx.note(FailoverNote::Admit {
                        node: r,
                        why: Reason::Back,
                    });
                    changed = true;
                }
                _ => {}
            }
        }
        let primary_fine = c.primary.is_some_and(|p| failed(p).is_none());
        if self.s.failback
            && primary_fine
            && c.primary != Some(PREFERRED)
            && c.in_sync.contains(&PREFERRED)
            && failed(PREFERRED).is_none()
        {
            remove(&mut c.in_sync, PREFERRED);
            c.in_sync.extend(c.primary);
            c.primary = Some(PREFERRED);
            c.epoch += u64::from(self.s.fencing);
            ctx.note(FailoverNote::Promote {
                primary: PREFERRED,
                epoch: c.epoch,
                why: Reason::Failback,
            });
            changed = true;
        }
        if changed {
            self.changed(ctx);
        }
    }

    fn changed(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        self.config.version += 1;
        self.broadcast(ctx);
    }

    /// A crash: the configuration survives, what was heard does not.
    pub(super) fn crash(&mut self) {
        self.watch.clear();
        self.heard.fill(Heard::default());
        self.stuck = false;
    }

    pub(super) fn view(&self) -> NodeView {
        let c = &self.config;
        let mut failed = Vec::new();
        for r in self.replicas() {
            if self.holds_failed(r) {
                failed.push(r);
            }
        }
        NodeView {
            role: "manager",
            epoch: c.epoch,
            fields: vec![
                ("configuration", c.version.to_string()),
                ("epoch", c.epoch.to_string()),
                ("primary", names(c.primary.as_slice())),
                ("backups", names(&c.in_sync)),
                ("joining", names(&c.joining)),
                ("failed", names(&failed)),
            ],
            ..NodeView::default()
        }
    }
}
