//! A client of the store: one operation at a time (as a Jepsen process), each recorded as an
//! invocation and a completion — `ok`, `fail` when it surely had no effect, `info` when the
//! client cannot know (no answer in time).

use super::msg::{KvNote, Msg};
use super::op::{Op, OpResult, SiblingValues, written_value};
use super::settings::{Mode, Settings};
use crate::sim::ops::Outcome;
use crate::sim::workload::{FAILED, LATENCY, OK, TIMED_OUT};
use crate::sim::{Ctx, Micros, NodeId, NodeView, SEC};

/// Most redirects one operation follows before the client gives up on it. It completes as
/// `info`, not `fail`: a replica that was leader when it took the operation may have logged it
/// before stepping down, so the client cannot know it had no effect.
pub const MAX_REDIRECTS: u32 = 5;

/// The operation in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlight {
    /// The client's number for it.
    pub req: u64,
    /// What it asks.
    pub op: Op,
    /// When it was invoked.
    pub since: Micros,
    /// Redirects followed so far.
    pub redirects: u32,
}

/// A client's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientTimer {
    /// Think time over: invoke the next operation.
    Next,
    /// The operation in flight got no answer in time.
    GiveUp(u64),
}

/// One client.
#[derive(Clone, Debug)]
pub struct Client {
    s: Settings,
    /// The replica it believes leads (or last used).
    target: NodeId,
    next_req: u64,
    writes: u64,
    /// The operation in flight. Kept through a crash: at restart its outcome is unknown.
    pub(super) in_flight: Option<InFlight>,
    /// The last value this client saw of each key (what its next compare-and-set expects).
    seen: Vec<u64>,
    /// Operations by outcome: ok, fail, info.
    pub(super) counts: [u64; 3],
    /// The operation events of the input being handled, for the checker.
    pub(super) fresh: Vec<KvNote>,
}

impl Client {
    /// The `number`-th client of the run (from 0); its first target spreads clients over the
    /// replicas.
    pub fn new(number: u64, s: Settings) -> Self {
        Client {
            s,
            target: 1 + (number % s.replicas as u64) as NodeId,
            next_req: 0,
            writes: 0,
            in_flight: None,
            seen: vec![0; s.keys],
            counts: [0; 3],
            fresh: Vec::new(),
        }
    }

    /// Boots (or restarts): an operation cut short by a crash ends `info`; the next one is due
    /// after a think time.
    pub fn start(&mut self, ctx: &mut Ctx<'_, super::KvNode>) {
        self.fresh.clear();
        if let Some(f) = self.in_flight {
            self.complete(ctx, f, Outcome::Info, None, SiblingValues::default());
        }
        self.think(ctx);
    }

    fn think(&mut self, ctx: &mut Ctx<'_, super::KvNode>) {
        let gap = ctx.random_gap(SEC as f64 / self.s.rate as f64);
        ctx.set_timer(super::Timer::Client(ClientTimer::Next), gap);
    }

    /// A timer fired.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_, super::KvNode>, timer: ClientTimer) {
        self.fresh.clear();
        match timer {
            ClientTimer::Next if self.in_flight.is_none() => self.invoke(ctx),
            ClientTimer::Next => {}
            ClientTimer::GiveUp(req) => {
                if let Some(f) = self.in_flight.filter(|f| f.req == req) {
                    self.target = self.next_replica(self.target);
                    self.complete(ctx, f, Outcome::Info, None, SiblingValues::default());
                    self.think(ctx);
                }
            }
        }
    }

    /// A replica answered.
    pub fn on_reply(
        &mut self,
        ctx: &mut Ctx<'_, super::KvNode>,
        from: NodeId,
        req: u64,
        result: OpResult,
    ) {
        self.fresh.clear();
        let Some(mut f) = self.in_flight.filter(|f| f.req == req) else {
            return;
        };
        let mut siblings = SiblingValues::default();
        let (outcome, value) = match result {
            OpResult::NotLeader(hint) => {
                f.redirects += 1;
                self.target = hint.unwrap_or_else(|| self.next_replica(from));
                if f.redirects <= MAX_REDIRECTS {
                    self.in_flight = Some(f);
                    ctx.send(self.target, Msg::Request { req, op: f.op });
                    return;
                }
                (Outcome::Info, None)
            }
            OpResult::Done => (Outcome::Ok, None),
            OpResult::Value(v) => (Outcome::Ok, Some(v)),
            OpResult::Siblings(values) => {
                siblings = values;
                (Outcome::Ok, None)
            }
            OpResult::CasFailed(v) => (Outcome::Fail, Some(v)),
        };
        if let Some(v) = value {
            self.seen[usize::from(f.op.key())] = v;
        }
        if let (Op::Cas { new, .. } | Op::Write { value: new, .. }, Outcome::Ok) = (f.op, outcome) {
            self.seen[usize::from(f.op.key())] = new;
        }
        ctx.record(LATENCY, (ctx.now() - f.since) as i64);
        self.complete(ctx, f, outcome, value, siblings);
        self.think(ctx);
    }

    /// Invokes a new operation, drawn from the mix the settings give.
    fn invoke(&mut self, ctx: &mut Ctx<'_, super::KvNode>) {
        let key = ctx.random_range(0, self.s.keys as u64 - 1) as u8;
        let roll = ctx.random_range(0, 99);
        let op = if roll < self.s.reads {
            Op::Read { key }
        } else {
            self.writes += 1;
            let value = written_value(ctx.me(), self.writes);
            if roll < self.s.reads + self.s.cas {
                Op::Cas {
                    key,
                    expected: self.seen[usize::from(key)],
                    new: value,
                }
            } else {
                Op::Write { key, value }
            }
        };
        self.next_req += 1;
        let req = self.next_req;
        let f = InFlight {
            req,
            op,
            since: ctx.now(),
            redirects: 0,
        };
        self.in_flight = Some(f);
        self.emit(ctx, KvNote::Invoke { req, op });
        // Reads a replica may answer from its copy go anywhere; the rest to the believed leader.
        let anywhere = match self.s.mode {
            Mode::Quorum => true,
            Mode::Follower => op.is_read(),
            _ => false,
        };
        if anywhere {
            self.target = ctx.random_range(1, self.s.replicas as u64) as NodeId;
        }
        ctx.send(self.target, Msg::Request { req, op });
        ctx.set_timer(
            super::Timer::Client(ClientTimer::GiveUp(req)),
            self.s.timeout,
        );
    }

    fn complete(
        &mut self,
        ctx: &mut Ctx<'_, super::KvNode>,
        f: InFlight,
        outcome: Outcome,
        value: Option<u64>,
        siblings: SiblingValues,
    ) {
        self.in_flight = None;
        ctx.cancel_timer(super::Timer::Client(ClientTimer::GiveUp(f.req)));
        let (slot, series) = match outcome {
            Outcome::Ok => (0, OK),
            Outcome::Fail => (1, FAILED),
            Outcome::Info => (2, TIMED_OUT),
        };
        self.counts[slot] += 1;
        ctx.record(series, 1);
        self.emit(
            ctx,
            KvNote::Complete {
                req: f.req,
                op: f.op,
                outcome,
                value,
                siblings,
            },
        );
    }

    fn emit(&mut self, ctx: &mut Ctx<'_, super::KvNode>, note: KvNote) {
        self.fresh.push(note.clone());
        ctx.note(note);
    }

    fn next_replica(&self, after: NodeId) -> NodeId {
        after % self.s.replicas as NodeId + 1
    }

    /// What the page shows of the client.
    pub fn view(&self) -> NodeView {
        let [ok, fail, info] = self.counts;
        NodeView {
            role: "client",
            fields: vec![
                (
                    "in flight",
                    self.in_flight.map_or("—".into(), |f| {
                        format!("{} (request {})", f.op.describe(), f.req)
                    }),
                ),
                ("sends to", format!("Node {}", self.target)),
                ("ok", ok.to_string()),
                ("failed", fail.to_string()),
                ("unknown (timed out)", info.to_string()),
            ],
            ..NodeView::default()
        }
    }
}
