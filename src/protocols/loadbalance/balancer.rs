//! The balancer: takes each client request, picks a server by its policy ([`super::policy`]),
//! forwards the request under a ticket of its own, and relays the server's answer back.
//!
//! It learns of failed servers only through its health checks — a ping every interval, judged
//! by a failure detector ([`crate::protocols::detector`]) — so requests sent to a server that
//! crashed before the detector noticed are lost with it (their clients time out and retry).
//! When a server becomes suspected the balancer forgets the tickets it holds for it.

use super::KNOB_WEIGHT;
use super::hashing::{Scheme, mix, moved_keys};
use super::msg::{LbNote, Msg};
use super::node::{LbNode, Settings, Timer};
use super::policy::{Chooser, Known, Policy, key_of};
use crate::protocols::detector::History;
use crate::sim::workload::{Answer, Response};
use crate::sim::{Ctx, Micros, MovedKeys, NodeId};

/// A request the balancer forwarded and has not yet answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The balancer's number for it.
    pub ticket: u64,
    /// The client that sent it.
    pub client: NodeId,
    /// The client's number for it.
    pub request: u64,
    /// The server it went to.
    pub server: NodeId,
    /// When the balancer forwarded it.
    pub sent: Micros,
}

/// How the balancer's tickets ended: the counts its conservation invariant adds up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Tickets issued.
    pub issued: u64,
    /// Answered after a server served them.
    pub served: u64,
    /// Answered "dropped" after a server's queue was full.
    pub shed: u64,
    /// Failed at once: no healthy server.
    pub no_server: u64,
    /// Forgotten because their server became suspected (their clients time out).
    pub forgotten: u64,
}

/// The balancer's state.
#[derive(Clone, Debug)]
pub struct Balancer {
    s: Settings,
    known: Vec<Known>,
    /// Loads as the servers last reported them; copied into `known` every `staleness` µs.
    fresh: Vec<u32>,
    refreshed: Micros,
    /// When each server's latency average was last brought up to date (aged or refreshed).
    aged: Vec<Micros>,
    health: Vec<History>,
    chooser: Chooser,
    /// Outstanding tickets, by number (a plain list: a map type of its own would add code
    /// to the web build for the few hundred tickets a run holds at most).
    tickets: Vec<Ticket>,
    /// With the `relay_late_answers` bug only: tickets failed with a suspected server, whose
    /// late answers the bug relays.
    failed: Vec<Ticket>,
    next_ticket: u64,
    tally: Tally,
    /// The last change of membership (a server suspected or trusted again) and what it moved.
    moved: Option<MovedKeys>,
}

impl Balancer {
    /// The balancer of a run with these settings.
    pub fn new(s: &Settings) -> Self {
        let mut known = Vec::new();
        for id in s.servers.clone() {
            known.push(Known {
                id,
                healthy: true,
                weight: s.weight_of(id),
                outstanding: 0,
                latency: 0.0,
                reported: 0,
            });
        }
        let n = known.len();
        Balancer {
            known,
            fresh: vec![0; n],
            refreshed: 0,
            aged: vec![0; n],
            health: Vec::new(),
            chooser: Chooser::default(),
            tickets: Vec::new(),
            failed: Vec::new(),
            next_ticket: 1,
            tally: Tally::default(),
            moved: None,
            s: s.clone(),
        }
    }

    /// A setting changed mid-run: the policy or the staleness of load information (run-wide),
    /// or a server's weight. The policy's state (round-robin's turn, smooth weights) carries on.
    pub fn on_param(&mut self, about: Option<NodeId>, key: &str, value: u64) {
        match (about, key) {
            (None, "policy") => self.s.policy = Policy::from_index(value),
            (None, "staleness") => self.s.staleness = value,
            (Some(server), KNOB_WEIGHT) => {
                if let Some(i) = self.index(server) {
                    self.known[i].weight = value as u32;
                }
            }
            _ => {}
        }
    }

    /// What the balancer knows of each server.
    pub fn known(&self) -> &[Known] {
        &self.known
    }

    /// Tickets outstanding.
    pub fn outstanding(&self) -> usize {
        self.tickets.len()
    }

    /// How tickets ended so far.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    fn index(&self, server: NodeId) -> Option<usize> {
        self.known.iter().position(|k| k.id == server)
    }

    /// Starts the health checks (at boot and after every restart), as if every server had just
    /// answered.
    pub fn start(&mut self, ctx: &mut Ctx<'_, LbNode>) {
        let (now, every) = (ctx.now(), self.s.health_every);
        self.health = (self.known.iter())
            .map(|_| {
                let mut h = History::expecting(every);
                h.heartbeat(now);
                h
            })
            .collect();
        self.check(ctx);
    }

    /// Health checks: ping every server, and judge each one's silence.
    pub fn check(&mut self, ctx: &mut Ctx<'_, LbNode>) {
        let now = ctx.now();
        for i in 0..self.known.len() {
            let server = self.known[i].id;
            ctx.send(server, Msg::Ping);
            let suspected = self.health[i].suspects(&self.s.detector, now);
            if suspected == self.known[i].healthy {
                let before = self.healthy_ids();
                self.known[i].healthy = !suspected;
                self.moved = Some(self.moved_by(server, &before, now));
                let failed = if suspected {
                    self.forget(ctx, server)
                } else {
                    0
                };
                ctx.note(LbNote::Health {
                    server,
                    suspected,
                    failed,
                });
            }
        }
        ctx.set_timer(Timer::Check, self.s.health_every);
    }

    /// The servers the balancer trusts now, in id order.
    pub fn healthy_ids(&self) -> Vec<NodeId> {
        let mut ids = Vec::new();
        for k in &self.known {
            if k.healthy {
                ids.push(k.id);
            }
        }
        ids
    }

    /// What the change of membership from `before` to the healthy servers now (`server` left
    /// or joined) moves: keys that change server under the run's scheme and under mod-N, over
    /// the first [`MOVED_SAMPLE`] keys at most.
    fn moved_by(&self, server: NodeId, before: &[NodeId], at: Micros) -> MovedKeys {
        let after = self.healthy_ids();
        let keys = || 0..self.s.keys.min(MOVED_SAMPLE);
        let h = self.s.hashing;
        MovedKeys {
            server,
            joined: after.len() > before.len(),
            at,
            moved: moved_keys(h.scheme, keys(), before, &after, h.vnodes),
            moved_mod_n: moved_keys(Scheme::ModN, keys(), before, &after, h.vnodes),
        }
    }

    /// The last change of membership and what it moved.
    pub fn moved(&self) -> Option<MovedKeys> {
        self.moved
    }

    /// The run's settings as the balancer holds them now (the policy may have changed).
    pub fn settings(&self) -> &Settings {
        &self.s
    }

    /// Gives up the requests held by `server`, now suspected: each client is told its request
    /// failed (as a proxy answers 502 when a backend is marked down), so requests sent in the
    /// detection gap fail and count rather than wait for the client's own timeout.
    /// Returns how many failed.
    fn forget(&mut self, ctx: &mut Ctx<'_, LbNode>, server: NodeId) -> u32 {
        let mut lost = Vec::new();
        let mut i = 0;
        while i < self.tickets.len() {
            if self.tickets[i].server == server {
                lost.push(self.tickets.remove(i));
            } else {
                i += 1;
            }
        }
        if let Some(i) = self.index(server) {
            self.known[i].outstanding = 0;
        }
        if self.s.bugs.forget_silently {
            return 0; // the bug: they vanish
        }
        self.tally.forgotten += lost.len() as u64;
        let failed = lost.len() as u32;
        for t in lost {
            let (id, answer) = (t.request, Answer::Dropped);
            ctx.send(t.client, Msg::Response(Response { id, answer }));
            if self.s.bugs.relay_late_answers {
                self.failed.push(t);
            }
        }
        failed
    }

    fn heard(&mut self, server: NodeId, load: u32, now: Micros) {
        if let Some(i) = self.index(server) {
            self.health[i].heartbeat(now);
            self.fresh[i] = load;
        }
    }

    /// Handles a message from `from`.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_, LbNode>, from: NodeId, msg: Msg) {
        let now = ctx.now();
        match msg {
            Msg::Request(r) => self.route(ctx, from, r.id, r.command),
            Msg::Pong { load } => self.heard(from, load, now),
            Msg::Served { ticket, load } => {
                self.heard(from, load, now);
                self.answer(ctx, ticket, Answer::Done);
            }
            Msg::Shed { ticket, load } => {
                self.heard(from, load, now);
                self.answer(ctx, ticket, Answer::Dropped);
            }
            _ => {}
        }
    }

    /// Picks a server for request `request` of `client` and forwards it.
    fn route(&mut self, ctx: &mut Ctx<'_, LbNode>, client: NodeId, request: u64, command: u64) {
        let now = ctx.now();
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.tally.issued += 1;
        if now >= self.refreshed + self.s.staleness {
            for (k, &load) in self.known.iter_mut().zip(&self.fresh) {
                k.reported = load;
            }
            self.refreshed = now;
        }
        self.age_latencies(now);
        let key = key_of(command, self.s.keys);
        let chosen = self
            .chooser
            .choose(self.s.policy, self.s.hashing, &self.known, key, |n| {
                ctx.random_range(0, n - 1)
            });
        let Some(server) = chosen else {
            self.tally.no_server += 1;
            ctx.note(LbNote::NoServer { ticket });
            ctx.send(
                client,
                Msg::Response(Response {
                    id: request,
                    answer: Answer::Dropped,
                }),
            );
            return;
        };
        if let Some(i) = self.index(server) {
            self.known[i].outstanding += 1;
        }
        // Ticket numbers only grow, so pushing keeps the list in order.
        self.tickets.push(Ticket {
            ticket,
            client,
            request,
            server,
            sent: now,
        });
        ctx.note(LbNote::Route { ticket, server });
        ctx.send(
            server,
            Msg::Forward {
                ticket,
                cost: self.s.cost_of(command),
            },
        );
    }

    /// A server answered `ticket`: relay the answer and learn its latency.
    fn answer(&mut self, ctx: &mut Ctx<'_, LbNode>, ticket: u64, answer: Answer) {
        // A ticket not outstanding was failed when its server was suspected: its late answer
        // is ignored (the bug relays it).
        let Some(t) = take(&mut self.tickets, ticket).or_else(|| take(&mut self.failed, ticket))
        else {
            return;
        };
        if let Some(i) = self.index(t.server) {
            let k = &mut self.known[i];
            k.outstanding = k.outstanding.saturating_sub(1);
            if answer == Answer::Done {
                let latency = (ctx.now() - t.sent) as f64;
                k.latency = if k.latency == 0.0 {
                    latency
                } else {
                    k.latency + EWMA_WEIGHT * (latency - k.latency)
                };
            }
            self.aged[i] = ctx.now();
        }
        match answer {
            Answer::Done => self.tally.served += 1,
            _ => self.tally.shed += 1,
        }
        ctx.send(
            t.client,
            Msg::Response(Response {
                id: t.request,
                answer,
            }),
        );
    }

    /// Lets each server's latency average decay towards zero while no answer refreshes it
    /// (by a factor e every [`LATENCY_DECAY`]), as Finagle's peak EWMA does: a server that was slow
    /// once and then got no more requests is tried again, instead of being shunned for good
    /// while the others' queues overflow.
    fn age_latencies(&mut self, now: Micros) {
        for (k, aged) in self.known.iter_mut().zip(&mut self.aged) {
            if k.latency > 0.0 && now > *aged {
                k.latency *= libm::exp(-((now - *aged) as f64) / LATENCY_DECAY as f64);
            }
            *aged = now;
        }
    }

    /// A crash: the balancer forgets its tickets and what it learnt about the servers. It keeps
    /// counting tickets on from where it was, so a late answer to a ticket from before the crash
    /// never matches a new one; the tally is the checker's bookkeeping and survives too.
    pub fn crash(&mut self) {
        self.tally.forgotten += self.tickets.len() as u64;
        self.tickets.clear();
        self.failed.clear();
        for k in &mut self.known {
            (k.outstanding, k.latency, k.reported, k.healthy) = (0, 0.0, 0, true);
        }
        self.fresh.iter_mut().for_each(|l| *l = 0);
        self.chooser = Chooser::default();
    }

    /// The balancer's fields for the inspector.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let healthy = self.known.iter().filter(|k| k.healthy).count();
        vec![
            (
                "Policy",
                super::policy::POLICIES[self.s.policy as usize].to_string(),
            ),
            (
                "Healthy servers",
                format!("{healthy} of {}", self.known.len()),
            ),
            ("Outstanding", self.tickets.len().to_string()),
            ("Served", self.tally.served.to_string()),
            (
                "Dropped",
                (self.tally.shed + self.tally.no_server).to_string(),
            ),
            (
                "Failed with a suspected server",
                self.tally.forgotten.to_string(),
            ),
        ]
    }
}

/// Removes and returns ticket number `ticket` from `tickets`, keeping the others in order.
fn take(tickets: &mut Vec<Ticket>, ticket: u64) -> Option<Ticket> {
    let i = tickets.iter().position(|t| t.ticket == ticket)?;
    Some(tickets.remove(i))
}

/// Most keys counted for what a change of membership moves (a link may ask for a million).
pub const MOVED_SAMPLE: u64 = 100_000;

/// How fast an unrefreshed latency average decays (see [`Balancer::age_latencies`]).
const LATENCY_DECAY: Micros = 1_000_000;

/// Weight of the newest latency in the moving average (as Finagle's decay, roughly the last
/// five answers).
const EWMA_WEIGHT: f64 = 0.2;

/// The work a request takes, from its command: spread evenly over `min..=max`, the same for every
/// retry of the request.
pub fn cost(command: u64, min: Micros, max: Micros) -> Micros {
    min + mix(command ^ 0x5bd1_e995) % (max.saturating_sub(min) + 1)
}
