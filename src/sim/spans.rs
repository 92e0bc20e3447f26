//! Indexes over a branch's trace that the views need often: each message's life (for the
//! space-time diagram) and the milestone lines (for lanes and the timeline).
//!
//! Built incrementally as the trace grows, cut back when a fork truncates it.

use super::lab::DropReason;
use super::node::NodeId;
use super::time::Micros;
use super::trace::{Record, RecordKind};

/// One message's life, by trace positions.
#[derive(Clone, Debug)]
pub(crate) struct Span {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent: Micros,
    pub send_pos: usize,
    /// It travels a direction the visitor slowed down.
    pub slow: bool,
    /// Trace position, time and drop reason of the line that ended it.
    pub end: Option<(usize, Micros, Option<DropReason>)>,
}

/// The indexes of one branch.
#[derive(Clone, Debug, Default)]
pub(crate) struct TraceIndex {
    /// Message lives in send order (ids increase with sends, so also sorted by id).
    pub spans: Vec<Span>,
    /// Positions of milestone lines.
    pub milestones: Vec<usize>,
    /// Positions of notes recording a client operation event ([`super::Note::operation`]).
    pub operations: Vec<usize>,
    /// Longest latency seen, bounding how far back a window query must look.
    pub longest: Micros,
    indexed: usize,
}

impl TraceIndex {
    /// Indexes every record not indexed yet.
    pub fn update(&mut self, trace: &[Record]) {
        for (pos, r) in trace.iter().enumerate().skip(self.indexed) {
            match &r.kind {
                RecordKind::Send {
                    id, from, to, slow, ..
                } => self.spans.push(Span {
                    id: *id,
                    from: *from,
                    to: *to,
                    sent: r.t,
                    send_pos: pos,
                    slow: *slow,
                    end: None,
                }),
                RecordKind::Deliver { id, .. } => self.end(*id, pos, r.t, None),
                RecordKind::Drop { id, reason, .. } => self.end(*id, pos, r.t, Some(*reason)),
                RecordKind::Crash { .. }
                | RecordKind::Restart { .. }
                | RecordKind::Pause { .. }
                | RecordKind::Resume { .. }
                | RecordKind::Violation { .. }
                | RecordKind::Action(_)
                | RecordKind::Chaos(_) => self.milestones.push(pos),
                RecordKind::Note { node, note } => {
                    if note.marker().is_some() || note.headline(*node).is_some() {
                        self.milestones.push(pos);
                    }
                    if note.operation().is_some() {
                        self.operations.push(pos);
                    }
                }
                RecordKind::Client { .. } => {}
            }
        }
        self.indexed = trace.len();
    }

    fn end(&mut self, id: u64, pos: usize, t: Micros, reason: Option<DropReason>) {
        if let Ok(i) = self.spans.binary_search_by_key(&id, |s| s.id) {
            let span = &mut self.spans[i];
            self.longest = self.longest.max(t - span.sent);
            span.end = Some((pos, t, reason));
        }
    }

    /// Forgets everything at trace positions `pos` and later (a fork truncated the trace).
    pub fn truncate(&mut self, pos: usize) {
        self.spans.retain(|s| s.send_pos < pos);
        for s in &mut self.spans {
            if s.end.is_some_and(|(p, _, _)| p >= pos) {
                s.end = None;
            }
        }
        self.milestones.retain(|&p| p < pos);
        self.operations.retain(|&p| p < pos);
        self.indexed = self.indexed.min(pos);
    }

    /// Spans sent at or before `t1` (and at or before trace position `limit`) that may overlap
    /// `[t0, t1]`, oldest first.
    pub fn window(&self, t0: Micros, t1: Micros, limit: usize) -> impl Iterator<Item = &Span> {
        let end = self
            .spans
            .partition_point(|s| s.sent <= t1 && s.send_pos < limit);
        let from_t = t0.saturating_sub(self.longest);
        let start = self.spans[..end].partition_point(|s| s.sent < from_t);
        self.spans[start..end].iter()
    }
}
