//! The protocol's node type: the time server (node 1) or a clock, behind the one [`Node`]
//! interface the simulator drives; and the run's settings.
//!
//! * **Cristian**: every `poll`, a clock asks the server the time and sets its clock to the
//!   answer plus half the round trip, claiming an error of at most half the round trip.
//! * **NTP**: a clock stamps its request (t1); the server stamps its arrival (t2) and its answer
//!   (t3); the clock stamps the answer's arrival (t4). Offset θ = ((t2 − t1) + (t3 − t4)) / 2,
//!   delay δ = (t4 − t1) − (t3 − t2). The clock filter keeps the last samples and trusts the
//!   lowest delay; the clock steps when the correction is above `step_limit`, else slews it in at
//!   `slew` ppm, claiming an error of δ/2 plus what is still to slew.
//! * **Berkeley**: the server is a master with an ordinary clock. Every `poll` it asks every clock
//!   for its reading, estimates each offset from its own clock (reading + half the round trip −
//!   its own time), averages the offsets within `outlier` of their median (its own included),
//!   and tells each clock (and itself) how far to move to the average. The clocks then agree with
//!   each other, not with the true time.
//!
//! Every claim grows by the clocks' rated drift (`drift` ppm) since its sample was taken.

use std::ops::RangeInclusive;
use std::rc::Rc;

use super::clock::Clock;
use super::filter::{Filter, Sample};
use super::msg::{Adjustment, ClockNote, Exchange, Msg, ms, reading, span};
use super::series;
use super::store::{Mode, Outcome, Replica};
use crate::sim::causality::vector_text;
use crate::sim::small_sort::sort_small;
use crate::sim::{Ctx, MS, Micros, Node, NodeId, NodeView, Note as _, Setup};

/// The synchronisation algorithm (the `algorithm` parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Ask a time server; add half the round trip.
    Cristian,
    /// A master polls, averages without outliers, and sends adjustments.
    Berkeley,
    /// Four timestamps, a clock filter, slew or step.
    Ntp,
    /// No synchronisation: the clocks run free (a baseline, and skew for the store).
    None,
}

/// The choices of `algorithm`, in order.
pub const ALGORITHMS: &[&str] = &["cristian", "berkeley", "ntp", "none"];

/// The deliberate bugs (see [`super::BUGS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bugs {
    /// Cristian: the clock takes the server's time as it is, forgetting the answer's travel.
    pub ignore_round_trip: bool,
    /// NTP: the offset's second term has the wrong sign.
    pub offset_sign: bool,
    /// Berkeley: clocks move the wrong way.
    pub adjust_backwards: bool,
}

/// Everything a run's nodes share, from the setup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The clocks' ids (the server is node 1).
    pub clocks: RangeInclusive<NodeId>,
    /// Initial offsets are drawn from ±this (µs).
    pub skew: Micros,
    /// The clocks' rated drift: rates are drawn from ±this (ppm), and claims allow for it.
    pub drift: u64,
    /// The faulty clock (out of its rated drift), if any, and its drift (ppm).
    pub faulty: Option<(NodeId, i64)>,
    /// Time between synchronisations.
    pub poll: Micros,
    /// Berkeley: offsets further than this from the median are left out of the average (0:
    /// none are).
    pub outlier: Micros,
    /// NTP: a correction above this is stepped, a smaller one slewed.
    pub step_limit: Micros,
    /// NTP: the slew rate (ppm).
    pub slew: u64,
    /// NTP: samples the clock filter keeps.
    pub filter: usize,
    /// The server's time between a request's arrival and its answer, at most (µs).
    pub processing: Micros,
    /// How often each node writes its clock's offset to the metrics.
    pub sample_every: Micros,
    /// The replicated register's reconciliation (or none).
    pub store: Mode,
    /// Mean time between a clock's writes to the register.
    pub writes: Micros,
    /// Nodes in the run (the length of version vectors).
    pub nodes: usize,
    /// The deliberate bugs switched on.
    pub bugs: Bugs,
}

impl Settings {
    /// The settings a setup describes.
    #[inline(never)]
    pub fn of(setup: &Setup) -> Self {
        let clocks = setup.ids_of(super::CLOCK);
        let faulty = match setup.param("faulty") {
            0 => None,
            k => Some((
                *clocks.start() + k as NodeId - 1,
                setup.param("fault_drift") as i64,
            )),
        };
        Settings {
            algorithm: match setup.param("algorithm") {
                0 => Algorithm::Cristian,
                1 => Algorithm::Berkeley,
                2 => Algorithm::Ntp,
                _ => Algorithm::None,
            },
            store: match setup.param("store") {
                0 => Mode::Off,
                1 => Mode::Lww,
                _ => Mode::Vectors,
            },
            writes: setup.param("writes"),
            nodes: setup.total(),
            clocks,
            skew: setup.param("skew"),
            drift: setup.param("drift"),
            faulty,
            poll: setup.param("poll"),
            outlier: setup.param("outlier"),
            step_limit: setup.param("step_limit"),
            slew: setup.param("slew"),
            filter: setup.param("filter") as usize,
            processing: setup.param("processing"),
            sample_every: 100 * MS,
            bugs: Bugs {
                ignore_round_trip: setup.bug(super::BUG_IGNORE_ROUND_TRIP),
                offset_sign: setup.bug(super::BUG_OFFSET_SIGN),
                adjust_backwards: setup.bug(super::BUG_ADJUST_BACKWARDS),
            },
        }
    }

    /// Whether node `id` holds the reference clock (the server, except under Berkeley).
    pub fn is_reference(&self, id: NodeId) -> bool {
        id == super::SERVER_ID && self.algorithm != Algorithm::Berkeley
    }

    /// Whether node `id` is the faulty clock.
    pub fn is_faulty(&self, id: NodeId) -> bool {
        self.faulty.is_some_and(|(f, _)| f == id)
    }

    /// How far a clock of rated drift may wander in `dt` µs of its own time (rounded up, with a
    /// margin for the rounding of readings).
    pub fn allowance(&self, dt: i64) -> i64 {
        let ppm = self.drift as i128 + 1;
        ((i128::from(dt.max(0)) * ppm + 999_999) / 1_000_000) as i64 + 2
    }
}

/// A bound a node claims on its clock's error: `base` at the moment of `raw_at` (its
/// oscillator's time then), growing by the rated drift since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The bound when the sample was taken (µs).
    pub base: i64,
    /// The oscillator's time when the sample was taken.
    pub raw_at: i64,
    /// The exchange or round the claim rests on (a fault after it voids the claim).
    pub since: u64,
}

/// The node's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Time to synchronise (a clock) or to start a round (the Berkeley master).
    Sync,
    /// The server answers a request that arrived earlier (its processing time).
    Answer {
        /// Who asked.
        to: NodeId,
        /// The request's number.
        seq: u64,
        /// NTP: the client's t1 (Cristian: unused).
        t1: i64,
        /// NTP: the server's arrival time (Cristian: unused).
        t2: i64,
        /// Whether the request was NTP's.
        ntp: bool,
    },
    /// The Berkeley master stops waiting for readings.
    RoundEnd(u64),
    /// Write the clock's offset to the metrics.
    Sample,
    /// A clock writes the register.
    Write,
}

/// A Berkeley master's round in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// The round's number (0: none yet).
    pub number: u64,
    /// The master's reading when it sent the polls.
    pub sent: i64,
    /// Each answer: (clock, estimated offset from the master, round trip).
    pub readings: Vec<(NodeId, i64, i64)>,
    /// Whether the round was averaged already.
    pub done: bool,
}

/// A node of a clock-synchronisation run: the time server (or Berkeley master), or a clock.
#[derive(Clone, Debug)]
pub struct ClockNode {
    id: NodeId,
    s: Rc<Settings>,
    /// The physical clock (`None` until the node first starts, when its offset and drift are
    /// drawn from the run's seed).
    clock: Option<Clock>,
    /// Exchanges started (Cristian, NTP).
    seq: u64,
    /// The exchange waiting for its answer: number and the clock's send time.
    asked: Option<(u64, i64)>,
    /// NTP's clock filter.
    filter: Filter,
    /// The bound this node claims (Cristian, NTP), or the agreement the master's last round
    /// claims (Berkeley).
    claim: Option<Claim>,
    /// The master's round (Berkeley).
    round: Round,
    /// A Berkeley clock: the last round whose adjustment it applied.
    adjusted: u64,
    /// A Berkeley clock: the last round it answered a poll of.
    polled: u64,
    /// The last exchange's offset and delay, for the page.
    last: Option<(i64, i64)>,
    /// The fault steps applied so far (ms; the `step` knob).
    fault_ms: u64,
    /// Writes this clock made to the register.
    seq_writes: u64,
    /// Claims resting on an exchange or round up to this one are void: a fault came after.
    void_through: u64,
    /// The clock's replica of the register (with `store` on).
    replica: Replica,
    /// The last update this replica lost to last-writer-wins: (kept, lost) as sentences.
    last_lost: Option<String>,
}

impl ClockNode {
    /// A fresh node `id`.
    pub fn new(id: NodeId, s: &Settings) -> Self {
        ClockNode {
            id,
            s: Rc::new(s.clone()),
            clock: None,
            seq: 0,
            asked: None,
            filter: Filter::new(s.filter),
            claim: None,
            round: Round::default(),
            adjusted: 0,
            polled: 0,
            last: None,
            fault_ms: 0,
            seq_writes: 0,
            void_through: 0,
            replica: Replica::default(),
            last_lost: None,
        }
    }

    /// The clock's replica of the register.
    pub fn replica(&self) -> &Replica {
        &self.replica
    }

    /// The last update this replica lost to last-writer-wins, in words.
    pub fn last_lost(&self) -> Option<&str> {
        self.last_lost.as_deref()
    }

    /// The node's clock (a fresh one reads the true time until the node starts).
    pub fn clock(&self) -> Clock {
        self.clock.unwrap_or(Clock::new(0, 0))
    }

    /// The clock, to correct or step it.
    fn clock_mut(&mut self) -> &mut Clock {
        self.clock.get_or_insert(Clock::new(0, 0))
    }

    /// Whether this node starts synchronisations: the Berkeley master, or a Cristian or NTP
    /// clock (free clocks never do).
    fn syncs(&self) -> bool {
        match self.s.algorithm {
            Algorithm::Berkeley => self.is_server(),
            Algorithm::None => false,
            _ => !self.is_server(),
        }
    }

    /// Whether this node is the server (or master).
    pub fn is_server(&self) -> bool {
        self.id == super::SERVER_ID
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.s
    }

    /// The bound this clock claims on its error at true time `now`, unless a fault voided it
    /// (Cristian, NTP; `None` before the first exchange).
    pub fn bound(&self, now: Micros) -> Option<i64> {
        let c = self.claim?;
        if self.is_server() || c.since <= self.void_through {
            return None;
        }
        let clock = self.clock();
        Some(c.base + clock.slew_left(now).abs() + self.s.allowance(raw(&clock, now) - c.raw_at))
    }

    /// The agreement the master's last round claims at `now`, and that round (Berkeley).
    pub fn agreement(&self, now: Micros) -> Option<(i64, u64)> {
        let c = self.claim.filter(|_| self.is_server())?;
        // Two clocks drift apart at up to twice the rated drift.
        let drift = 2 * self.s.allowance(raw(&self.clock(), now) - c.raw_at);
        Some((c.base + drift, c.since))
    }

    /// A Berkeley clock's last applied round, if no fault came after the poll it answered.
    pub fn adjusted_round(&self) -> Option<u64> {
        (self.adjusted > self.void_through).then_some(self.adjusted)
    }

    fn read(&self, now: Micros) -> i64 {
        self.clock().read(now)
    }

    /// Draws the clock's offset and drift at the first start.
    fn wind(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.clock.is_some() {
            return;
        }
        let clock = if self.s.is_reference(self.id) {
            Clock::new(0, 0)
        } else {
            let skew = self.s.skew as i64;
            let offset = ctx.random_range(0, 2 * self.s.skew) as i64 - skew;
            let drift = match self.s.faulty {
                Some((f, d)) if f == self.id => d,
                _ => ctx.random_range(0, 2 * self.s.drift) as i64 - self.s.drift as i64,
            };
            Clock::new(offset, drift)
        };
        self.clock = Some(clock);
    }

    fn start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.wind(ctx);
        self.asked = None;
        self.filter.clear();
        self.round = Round {
            number: self.round.number,
            ..Round::default()
        };
        ctx.set_timer(Timer::Sample, self.s.sample_every);
        if self.syncs() {
            // A random phase, so the clocks do not all ask at once.
            let first = ctx.random_range(self.s.poll / 4, self.s.poll);
            ctx.set_timer(Timer::Sync, first.max(1));
        }
        if self.s.store != Mode::Off && !self.is_server() {
            self.next_write(ctx);
        }
    }

    fn next_write(&mut self, ctx: &mut Ctx<'_, Self>) {
        let gap = ctx.random_range(self.s.writes / 2, self.s.writes * 3 / 2);
        ctx.set_timer(Timer::Write, gap.max(1));
    }

    /// A clock writes the register and sends the write to every other clock.
    fn write(&mut self, ctx: &mut Ctx<'_, Self>) {
        let n = self.s.nodes;
        self.seq_writes += 1;
        let value = u64::from(self.id) * 1000 + self.seq_writes;
        let ts = self.read(ctx.now());
        let (v, outcome) = self.replica.write(self.s.store, self.id, n, value, ts);
        self.reconciled(ctx, outcome);
        for id in self.s.clocks.clone() {
            if id != self.id {
                ctx.send(id, Msg::Replicate(v.clone()));
            }
        }
    }

    /// Notes what the replica did with a write, if worth telling.
    fn reconciled(&mut self, ctx: &mut Ctx<'_, Self>, outcome: Outcome) {
        match outcome {
            Outcome::Lost { kept, lost } => {
                let note = ClockNote::LostUpdate {
                    kept: (kept.writer, kept.value, kept.ts),
                    lost: (lost.writer, lost.value, lost.ts),
                };
                self.last_lost = Some(note.describe(self.id));
                ctx.note(note);
            }
            Outcome::Siblings(count) => {
                let held = &self.replica.siblings;
                let pair = |s: &super::store::Version| (s.writer, s.value);
                ctx.note(ClockNote::Siblings {
                    count: count as u32,
                    values: [pair(&held[count - 2]), pair(&held[count - 1])],
                });
            }
            Outcome::Applied | Outcome::Ignored => {}
        }
    }

    fn sync(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(Timer::Sync, self.s.poll.max(1));
        let now = ctx.now();
        let t1 = self.read(now);
        match self.s.algorithm {
            Algorithm::Berkeley => {
                let number = self.round.number + 1;
                self.round = Round {
                    number,
                    sent: t1,
                    readings: Vec::new(),
                    done: false,
                };
                for id in self.s.clocks.clone() {
                    ctx.send(id, Msg::Poll { round: number });
                }
                ctx.set_timer(Timer::RoundEnd(number), (self.s.poll / 2).max(1));
            }
            algorithm => {
                self.seq += 1;
                self.asked = Some((self.seq, t1));
                let seq = self.seq;
                let msg = match algorithm {
                    Algorithm::Ntp => Msg::NtpRequest { seq, t1 },
                    _ => Msg::TimeRequest { seq },
                };
                ctx.send(super::SERVER_ID, msg);
            }
        }
    }

    /// The server: a request arrived; answer after the processing time.
    fn answer_later(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, seq: u64, t1: i64, ntp: bool) {
        let t2 = self.read(ctx.now());
        let timer = Timer::Answer {
            to,
            seq,
            t1,
            t2,
            ntp,
        };
        match ctx.random_range(0, self.s.processing) {
            0 => self.answer(ctx, timer),
            wait => ctx.set_timer(timer, wait),
        }
    }

    fn answer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if let Timer::Answer {
            to,
            seq,
            t1,
            t2,
            ntp,
        } = timer
        {
            let t3 = self.read(ctx.now());
            let msg = if ntp {
                Msg::NtpReply { seq, t1, t2, t3 }
            } else {
                Msg::TimeReply { seq, server: t3 }
            };
            ctx.send(to, msg);
        }
    }

    /// A clock: the answer to exchange `seq` arrived with the server's times `t2` and `t3`
    /// (Cristian: both the one reading).
    fn exchanged(&mut self, ctx: &mut Ctx<'_, Self>, seq: u64, t2: i64, t3: i64) {
        let Some((asked, t1)) = self.asked else {
            return;
        };
        if asked != seq {
            return; // an answer to an exchange given up on
        }
        self.asked = None;
        let now = ctx.now();
        let mut clock = self.clock();
        let t4 = clock.read(now);
        let delay = ((t4 - t1) - (t3 - t2)).max(0);
        // What the exchange measured, the correction applied, how, and the exchange trusted.
        let (offset, applied, how, trusted) = if self.s.algorithm == Algorithm::Ntp {
            let offset = if self.s.bugs.offset_sign {
                ((t2 - t1) - (t3 - t4)) / 2
            } else {
                ((t2 - t1) + (t3 - t4)) / 2
            };
            self.filter.push(Sample {
                seq,
                offset,
                delay,
                corrected_at: clock.corrected(now),
                raw_at: raw(&clock, now),
            });
            match self.filter.take_fresh() {
                Some(best) => {
                    let by = best.offset_now(clock.corrected(now));
                    let how = if by.unsigned_abs() > self.s.step_limit {
                        clock.step(now, by, true);
                        Adjustment::Step
                    } else {
                        clock.slew(now, by, self.s.slew);
                        Adjustment::Slew
                    };
                    self.claim = Some(Claim {
                        base: best.delay / 2 + self.s.allowance(best.delay),
                        raw_at: best.raw_at,
                        since: best.seq,
                    });
                    (offset, by, how, best.seq)
                }
                None => {
                    let trusted = self.claim.map_or(seq, |c| c.since);
                    (offset, 0, Adjustment::Kept, trusted)
                }
            }
        } else {
            let half = if self.s.bugs.ignore_round_trip {
                0
            } else {
                delay / 2
            };
            let by = t3 + half - t4;
            clock.step(now, by, true);
            self.claim = Some(Claim {
                base: delay / 2 + self.s.allowance(delay),
                raw_at: raw(&clock, now),
                since: seq,
            });
            (by, by, Adjustment::Step, seq)
        };
        self.clock = Some(clock);
        self.last = Some((offset, delay));
        let bound = self.bound(now).unwrap_or(0);
        ctx.note(ClockNote::Exchange(Exchange {
            seq,
            t1,
            t2,
            t3,
            t4,
            offset,
            delay,
            applied,
            how,
            bound,
            trusted,
        }));
    }

    /// The Berkeley master: a clock's reading for `round` arrived.
    fn reading(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, round: u64, r: i64) {
        if round != self.round.number
            || self.round.done
            || self.round.readings.iter().any(|r| r.0 == from)
        {
            return;
        }
        let now = self.read(ctx.now());
        let rtt = now - self.round.sent;
        self.round.readings.push((from, r + rtt / 2 - now, rtt));
        if self.round.readings.len() == self.s.clocks.clone().count() {
            self.average(ctx);
        }
    }

    /// The Berkeley master averages the offsets it has, leaving outliers out, and sends each
    /// clock its adjustment.
    fn average(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.round.done = true;
        let number = self.round.number;
        let mut offsets: Vec<i64> = vec![0];
        offsets.extend(self.round.readings.iter().map(|r| r.1));
        sort_small(&mut offsets);
        let median = offsets[offsets.len() / 2];
        let near = |o: i64| self.s.outlier == 0 || o.abs_diff(median) <= self.s.outlier;
        // The master's own offset is 0: it adds to the count, not the sum.
        let (mut sum, mut averaged) = (0, u32::from(near(0)));
        let (mut excluded, mut first_excluded) = (u32::from(!near(0)), None);
        if !near(0) {
            first_excluded = Some(self.id);
        }
        let mut worst = 0;
        for &(id, o, rtt) in &self.round.readings {
            worst = worst.max(rtt / 2 + self.s.allowance(rtt));
            if near(o) {
                sum += o;
                averaged += 1;
            } else {
                excluded += 1;
                first_excluded.get_or_insert(id);
            }
        }
        let average = if averaged == 0 {
            0
        } else {
            sum / i64::from(averaged)
        };
        for &(id, o, _) in &self.round.readings {
            ctx.send(
                id,
                Msg::Adjust {
                    round: number,
                    by: average - o,
                },
            );
        }
        let now = ctx.now();
        self.clock_mut().step(now, average, true);
        let bound = 2 * worst;
        self.claim = Some(Claim {
            base: bound,
            raw_at: raw(&self.clock(), now),
            since: number,
        });
        ctx.note(ClockNote::Round {
            round: number,
            averaged,
            excluded,
            first_excluded,
            bound,
        });
    }

    fn sample(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(Timer::Sample, self.s.sample_every);
        let now = ctx.now();
        let offset = self.clock().offset(now);
        ctx.record(series::OFFSET, offset);
        if let Some(bound) = self.bound(now) {
            ctx.record(series::ERROR, offset.abs());
            ctx.record(series::BOUND, bound);
        }
    }

    /// The node's fields for the page.
    fn fields(&self) -> Vec<(&'static str, String)> {
        let clock = self.clock();
        let mut f = vec![(
            "Clock",
            if self.s.is_reference(self.id) {
                "reference (true time)".to_string()
            } else {
                format!("drift {:+} ppm", clock.drift_ppm())
            },
        )];
        if let Some((offset, delay)) = self.last {
            f.push((
                "Last exchange",
                format!("offset {}, delay {}", ms(offset), span(delay)),
            ));
        }
        if self.is_server() && self.s.algorithm == Algorithm::Berkeley {
            f.push(("Round", self.round.number.to_string()));
        }
        if self.fault_ms > 0 {
            f.push(("Fault steps", format!("{} ms", self.fault_ms)));
        }
        if self.s.store != Mode::Off && !self.is_server() {
            f.push(("x", self.replica.describe()));
            if let Some(v) = self.replica.siblings.first() {
                let stamp = match self.s.store {
                    Mode::Lww => reading(v.ts),
                    _ => vector_text(&v.vv),
                };
                f.push(("x's stamp", stamp));
            }
            f.push(("Updates lost", self.replica.lost.to_string()));
        }
        f
    }
}

/// The oscillator's own time at `now`: the reading less every correction.
fn raw(clock: &Clock, now: Micros) -> i64 {
    clock.read(now) - clock.corrected(now)
}

impl Node for ClockNode {
    type Msg = Msg;
    type Timer = Timer;
    type Note = ClockNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.start(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::TimeRequest { seq } => self.answer_later(ctx, from, seq, 0, false),
            Msg::NtpRequest { seq, t1 } => self.answer_later(ctx, from, seq, t1, true),
            Msg::TimeReply { seq, server } => self.exchanged(ctx, seq, server, server),
            Msg::NtpReply { seq, t1, t2, t3 } => {
                if self.asked.is_some_and(|(s, mine)| s == seq && mine == t1) {
                    self.exchanged(ctx, seq, t2, t3);
                }
            }
            Msg::Poll { round } => {
                self.polled = round;
                let reading = self.read(ctx.now());
                ctx.send(from, Msg::Reading { round, reading });
            }
            Msg::Reading { round, reading } => self.reading(ctx, from, round, reading),
            // A late or repeated adjustment is stale: the reading it corrects was not the
            // clock's last.
            Msg::Adjust { round, by } if round == self.polled && round > self.adjusted => {
                let by = if self.s.bugs.adjust_backwards {
                    -by
                } else {
                    by
                };
                self.clock_mut().step(ctx.now(), by, true);
                self.adjusted = round;
                ctx.note(ClockNote::Adjusted { round, by });
            }
            Msg::Adjust { .. } => {}
            Msg::Replicate(v) => {
                let outcome = self.replica.merge(self.s.store, v);
                self.reconciled(ctx, outcome);
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Sync => self.sync(ctx),
            Timer::Answer { .. } => self.answer(ctx, timer),
            Timer::RoundEnd(round) => {
                if round == self.round.number && !self.round.done {
                    self.average(ctx);
                }
            }
            Timer::Sample => self.sample(ctx),
            Timer::Write => {
                self.next_write(ctx);
                self.write(ctx);
            }
        }
    }

    /// The menu's "Write x": a clock writes the register now.
    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, _command: u64) {
        if self.s.store != Mode::Off && !self.is_server() {
            self.write(ctx);
        }
    }

    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.syncs() {
            self.sync(ctx);
        }
    }

    fn crash(&mut self) {
        // The hardware clock keeps running; what the node learnt is lost.
        self.asked = None;
        self.filter.clear();
        self.last = None;
    }

    fn on_param(&mut self, now: Micros, about: Option<NodeId>, key: &str, value: u64) {
        if about != Some(self.id) || key != super::KNOB_STEP {
            return;
        }
        let by = (value as i64 - self.fault_ms as i64) * MS as i64;
        self.fault_ms = value;
        self.clock_mut().step(now, by, false);
        // The exchange or poll in progress measured the clock before the jump.
        self.void_through = self.seq.max(self.polled);
    }

    fn accepts_clients(&self) -> bool {
        false
    }

    fn is_countdown(_timer: &Timer) -> bool {
        false
    }

    fn view(&self) -> NodeView {
        let role = if self.is_server() {
            super::SERVER
        } else {
            super::CLOCK
        };
        NodeView {
            role,
            fields: self.fields(),
            ..NodeView::default()
        }
    }

    /// The view with the clock's reading and its offset from the true time at `now` first.
    fn view_at(&self, now: Micros) -> NodeView {
        let mut view = self.view();
        let c = self.clock();
        let mut fields = vec![
            ("Reads", reading(c.read(now))),
            ("Off true time by", ms(c.offset(now))),
        ];
        if let Some(bound) = self.bound(now) {
            fields.push(("Claims within", format!("±{}", span(bound))));
        }
        fields.append(&mut view.fields);
        view.fields = fields;
        view
    }
}
