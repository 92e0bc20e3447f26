//! What the clocks and the time server say to each other (messages) and to the trace (notes).
//!
//! Clock readings travel as signed microseconds of the sender's clock (`t1`…`t4` as in NTP's
//! documentation); the trace writes them as they are, and the page writes them as seconds.

use super::store::Version;
use crate::sim::causality::vector_text;
use crate::sim::decimal::scaled;
use crate::sim::{JsonFields, JsonObject, Message, MsgView, NodeId, Note};

/// A signed duration in ms with three decimals and its sign: `+1.250 ms`, `-0.004 ms`.
pub fn ms(v: i64) -> String {
    let sign = if v < 0 { '-' } else { '+' };
    format!("{sign}{}", span(v))
}

/// A duration's size in ms, without sign: `4.100 ms`.
pub fn span(v: i64) -> String {
    format!("{} ms", scaled(v.unsigned_abs(), 3))
}

/// A clock reading in seconds with six decimals: `12.000345 s` (negative early on for a clock
/// that is behind).
pub fn reading(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{} s", scaled(v.unsigned_abs(), 6))
}

/// A message of a clock-synchronisation run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Cristian: a clock asks the time server for the time.
    TimeRequest {
        /// The request's number at the asking clock.
        seq: u64,
    },
    /// Cristian: the time server's reading when it answered.
    TimeReply {
        /// The request answered.
        seq: u64,
        /// The server's clock when it sent the answer.
        server: i64,
    },
    /// NTP: a clock's request, stamped with its own send time.
    NtpRequest {
        /// The request's number at the asking clock.
        seq: u64,
        /// The clock's reading when it sent the request.
        t1: i64,
    },
    /// NTP: the server's answer, echoing `t1`, with its receive and send times.
    NtpReply {
        /// The request answered.
        seq: u64,
        /// The client's send time, echoed.
        t1: i64,
        /// The server's clock when the request arrived.
        t2: i64,
        /// The server's clock when it sent this answer.
        t3: i64,
    },
    /// Berkeley: the master asks a clock for its reading.
    Poll {
        /// The master's round.
        round: u64,
    },
    /// Berkeley: a clock's reading when it answered the poll.
    Reading {
        /// The round answered.
        round: u64,
        /// The clock's reading.
        reading: i64,
    },
    /// Berkeley: the master tells a clock how far to move (relative, so the message's travel
    /// time does not matter).
    Adjust {
        /// The round.
        round: u64,
        /// The correction, µs (positive: forward).
        by: i64,
    },
    /// A clock sends a write of the register `x` to another replica.
    Replicate(Version),
}

impl JsonFields for Msg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match *self {
            Msg::TimeRequest { seq } => {
                o.str("type", "TimeRequest").u64("seq", seq);
            }
            Msg::TimeReply { seq, server } => {
                o.str("type", "TimeReply")
                    .u64("seq", seq)
                    .i64("server", server);
            }
            Msg::NtpRequest { seq, t1 } => {
                o.str("type", "NtpRequest").u64("seq", seq).i64("t1", t1);
            }
            Msg::NtpReply { seq, t1, t2, t3 } => {
                o.str("type", "NtpReply")
                    .u64("seq", seq)
                    .i64("t1", t1)
                    .i64("t2", t2)
                    .i64("t3", t3);
            }
            Msg::Poll { round } => {
                o.str("type", "Poll").u64("round", round);
            }
            Msg::Reading { round, reading } => {
                o.str("type", "Reading")
                    .u64("round", round)
                    .i64("reading", reading);
            }
            Msg::Adjust { round, by } => {
                o.str("type", "Adjust").u64("round", round).i64("by", by);
            }
            Msg::Replicate(ref v) => {
                o.str("type", "Replicate")
                    .u64("value", v.value)
                    .u64("writer", v.writer.into())
                    .i64("ts", v.ts)
                    .u64s("vv", &mut v.vv.iter().map(|&c| u64::from(c)));
            }
        }
    }
}

impl Message for Msg {
    fn view(&self) -> MsgView {
        let (kind, reply, detail) = match *self {
            Msg::TimeRequest { seq } => {
                ("TimeRequest", false, format!("what time is it? (#{seq})"))
            }
            Msg::TimeReply { seq, server } => (
                "TimeReply",
                true,
                format!("#{seq}: the server's clock read {}", reading(server)),
            ),
            Msg::NtpRequest { seq, t1 } => (
                "NtpRequest",
                false,
                format!("#{seq}: sent at t1 = {}", reading(t1)),
            ),
            Msg::NtpReply { seq, t1, t2, t3 } => (
                "NtpReply",
                true,
                format!(
                    "#{seq}: t1 = {}, t2 = {}, t3 = {}",
                    reading(t1),
                    reading(t2),
                    reading(t3)
                ),
            ),
            Msg::Poll { round } => ("Poll", false, format!("round {round}: your reading?")),
            Msg::Reading { round, reading: r } => (
                "Reading",
                true,
                format!("round {round}: my clock read {}", reading(r)),
            ),
            Msg::Adjust { round, by } => (
                "Adjust",
                false,
                format!("round {round}: move your clock {}", ms(by)),
            ),
            Msg::Replicate(ref v) => (
                "Replicate",
                false,
                format!(
                    "x = {} by Node {}, stamped {} and {}",
                    v.value,
                    v.writer,
                    reading(v.ts),
                    vector_text(&v.vv)
                ),
            ),
        };
        MsgView {
            kind,
            reply,
            success: reply.then_some(true),
            detail,
        }
    }
}

/// What the clocks and the server write to the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockNote {
    /// A clock finished an exchange with the time server (Cristian or NTP).
    Exchange(Exchange),
    /// The Berkeley master finished a round: how many clocks it averaged and left out.
    Round {
        /// The round.
        round: u64,
        /// Clocks averaged (the master included).
        averaged: u32,
        /// Clocks left out as outliers (still told to adjust).
        excluded: u32,
        /// The first clock left out, if any.
        first_excluded: Option<NodeId>,
        /// The agreement the round claims, µs.
        bound: i64,
    },
    /// A Berkeley clock moved by the master's adjustment.
    Adjusted {
        /// The round.
        round: u64,
        /// The correction, µs.
        by: i64,
    },
    /// Last-writer-wins kept a write over a later one that followed it: an update lost.
    LostUpdate {
        /// The write kept: (writer, value, timestamp).
        kept: (NodeId, u64, i64),
        /// The later write lost: (writer, value, timestamp).
        lost: (NodeId, u64, i64),
    },
    /// Version vectors found concurrent writes: the replica keeps them side by side.
    Siblings {
        /// Siblings held now.
        count: u32,
        /// The newest two: (writer, value).
        values: [(NodeId, u64); 2],
    },
}

/// An exchange with the time server as its clock finished it: its timestamps, the offset and
/// delay they give, and what the clock did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The exchange's number.
    pub seq: u64,
    /// The clock's send time (its own clock).
    pub t1: i64,
    /// The server's receive time (Cristian: its one reading).
    pub t2: i64,
    /// The server's send time (Cristian: its one reading).
    pub t3: i64,
    /// The clock's receive time (its own clock).
    pub t4: i64,
    /// The server's clock minus this clock, as the exchange measures it.
    pub offset: i64,
    /// The round trip less the server's time between t2 and t3.
    pub delay: i64,
    /// The correction applied (0 when the filter kept an older sample).
    pub applied: i64,
    /// How: stepped, slewed, or kept (the filter preferred an older sample).
    pub how: Adjustment,
    /// The error bound the clock now claims, µs.
    pub bound: i64,
    /// The exchange whose sample the clock trusts now (NTP's filter may keep an older one
    /// with a shorter delay; Cristian: this one).
    pub trusted: u64,
}

/// How a clock applied a correction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    /// Jumped at once.
    Step,
    /// Sped up or slowed down until corrected.
    Slew,
    /// Left as it was.
    Kept,
}

impl Adjustment {
    /// Its name in the trace.
    pub fn name(self) -> &'static str {
        match self {
            Adjustment::Step => "step",
            Adjustment::Slew => "slew",
            Adjustment::Kept => "kept",
        }
    }
}

impl JsonFields for ClockNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match *self {
            ClockNote::Exchange(e) => {
                o.u64("seq", e.seq)
                    .i64("t1", e.t1)
                    .i64("t2", e.t2)
                    .i64("t3", e.t3)
                    .i64("t4", e.t4)
                    .i64("offset", e.offset)
                    .i64("delay", e.delay)
                    .i64("applied", e.applied)
                    .str("how", e.how.name())
                    .i64("bound", e.bound)
                    .u64("trusted", e.trusted);
            }
            ClockNote::Round {
                round,
                averaged,
                excluded,
                first_excluded,
                bound,
            } => {
                o.u64("round", round)
                    .u64("averaged", averaged.into())
                    .u64("excluded", excluded.into())
                    .opt_u64("first_excluded", first_excluded.map(u64::from))
                    .i64("bound", bound);
            }
            ClockNote::Adjusted { round, by } => {
                o.u64("round", round).i64("by", by);
            }
            ClockNote::LostUpdate { kept, lost } => {
                o.u64("kept_writer", kept.0.into())
                    .u64("kept_value", kept.1)
                    .i64("kept_ts", kept.2)
                    .u64("lost_writer", lost.0.into())
                    .u64("lost_value", lost.1)
                    .i64("lost_ts", lost.2);
            }
            ClockNote::Siblings { count, values } => {
                o.u64("count", count.into())
                    .u64s("values", &mut values.iter().map(|v| v.1));
            }
        }
    }
}

impl Note for ClockNote {
    fn kind(&self) -> &'static str {
        match self {
            ClockNote::Exchange { .. } => "exchange",
            ClockNote::Round { .. } => "round",
            ClockNote::Adjusted { .. } => "adjusted",
            ClockNote::LostUpdate { .. } => "lost_update",
            ClockNote::Siblings { .. } => "siblings",
        }
    }

    fn describe(&self, node: NodeId) -> String {
        match *self {
            ClockNote::Exchange(e) => format!(
                "Node {node}, exchange #{}: t1 {}, t2 {}, t3 {}, t4 {} give offset {} and delay {}; trusting exchange #{}, it corrects its clock by {} ({}), claiming ±{}",
                e.seq,
                reading(e.t1),
                reading(e.t2),
                reading(e.t3),
                reading(e.t4),
                ms(e.offset),
                span(e.delay),
                e.trusted,
                ms(e.applied),
                e.how.name(),
                span(e.bound)
            ),
            ClockNote::Round {
                round,
                averaged,
                excluded,
                first_excluded,
                bound,
            } => {
                let out = match first_excluded {
                    Some(id) => format!(", leaving out {excluded} outlier(s), Node {id} first"),
                    None => String::new(),
                };
                format!(
                    "Node {node} averaged {averaged} clocks in round {round}{out}; they should now agree within {}",
                    span(bound)
                )
            }
            ClockNote::Adjusted { round, by } => {
                format!("Node {node} moved its clock {} (round {round})", ms(by))
            }
            ClockNote::LostUpdate { kept, lost } => format!(
                "Node {node} kept x = {} (Node {}'s, stamped {}) over the later x = {} (Node {}'s, which had seen it, stamped {}): last-writer-wins lost an update to clock skew",
                kept.1,
                kept.0,
                reading(kept.2),
                lost.1,
                lost.0,
                reading(lost.2)
            ),
            ClockNote::Siblings { count, values } => format!(
                "Node {node} keeps {count} siblings of x, the newest {} by Node {} and {} by Node {}: concurrent writes, kept for the next writer to merge",
                values[0].1, values[0].0, values[1].1, values[1].0
            ),
        }
    }

    fn headline(&self, node: NodeId) -> Option<String> {
        match self {
            ClockNote::LostUpdate { .. } | ClockNote::Siblings { .. } => Some(self.describe(node)),
            ClockNote::Round { excluded, .. } if *excluded > 0 => Some(self.describe(node)),
            _ => None,
        }
    }
}
