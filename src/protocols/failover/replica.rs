//! A replica of the key–value register: primary or backup, as the manager's configuration says.
//!
//! The primary appends each client write to its history and sends it to every member backup;
//! with synchronous replication it acknowledges a write once every backup it counts holds it,
//! with asynchronous replication at once. A backup appends what the primary sends after checking
//! that its history matches (dropping writes the primary does not hold). With fencing on, every
//! message carries the primary's epoch and replicas refuse an older one, so a deposed primary
//! learns it and stops; with fencing off nobody checks, and two primaries can act at once.

use crate::sim::chunked::ChunkedVec;
use crate::sim::workload::Response;
use crate::sim::workload::describe_command;
use crate::sim::{Ctx, EntryView, NodeId, NodeView};

use super::msg::{Config, Entry, FailoverNote, Msg, Pos, names};
use super::node::{FailoverNode, Settings, Timer};
use super::watch::Watch;

/// Most writes one append carries.
const BATCH: usize = 32;

/// A replica's role, from the configuration it last heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Not a member: deposed, restarted or suspected; waits for the manager.
    Removed,
    /// Catching up from the primary; not counted yet.
    Joining,
    /// Holds every acknowledged write; the primary waits for it.
    Backup,
    /// Takes writes and replicates them.
    Primary,
}

impl Role {
    /// The role's name in the page.
    pub fn name(self) -> &'static str {
        match self {
            Role::Removed => "removed",
            Role::Joining => "joining",
            Role::Backup => "backup",
            Role::Primary => "primary",
        }
    }
}

/// What the primary knows of one backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Progress {
    node: NodeId,
    /// The first position to send: one batch at a time is in flight, sent again on every
    /// heartbeat until answered.
    next: u64,
    /// Known to match up to here.
    matched: u64,
}

/// One replica.
#[derive(Clone, Debug)]
pub struct Replica {
    me: NodeId,
    s: Settings,
    /// The history of writes (on disk; in shared chunks, so checkpoints share it).
    pub log: ChunkedVec<Entry>,
    /// The newest epoch heard (on disk).
    pub epoch: u64,
    /// The configuration last heard from the manager.
    pub config: Config,
    /// The role that configuration gives.
    pub role: Role,
    /// Writes up to here are acknowledged (as far as this replica knows).
    pub durable: u64,
    /// Reads answered so far, and the position of the write the last one returned.
    pub reads: (u64, u64),
    progress: Vec<Progress>,
    /// Primary: the backups it waits for.
    counted: Vec<NodeId>,
    /// Primary: clients waiting for their write (position, client, request id).
    waiting: Vec<(u64, NodeId, u64)>,
    watch: Watch,
}

impl Replica {
    /// Replica `me` of a run configured by `s`.
    pub fn new(me: NodeId, s: Settings) -> Self {
        Replica {
            me,
            s,
            log: ChunkedVec::default(),
            epoch: 0,
            config: Config::default(),
            role: Role::Removed,
            durable: 0,
            reads: (0, 0),
            progress: Vec::new(),
            counted: Vec::new(),
            waiting: Vec::new(),
            watch: Watch::default(),
        }
    }

    fn len(&self) -> u64 {
        self.log.len() as u64
    }

    fn last(&self) -> Pos {
        self.pos(self.len())
    }

    /// The write at `index` (from 1; it must exist).
    fn entry(&self, index: u64) -> Entry {
        *self
            .log
            .get(index as usize - 1)
            .expect("a written position")
    }

    fn pos(&self, index: u64) -> Pos {
        let epoch = match index {
            0 => 0,
            i => self.entry(i).epoch,
        };
        Pos { epoch, index }
    }

    /// The primary this replica knows of, if it is another replica (where clients go).
    fn other_primary(&self) -> Option<NodeId> {
        self.config.primary.filter(|&p| p != self.me)
    }

    /// The backups a primary sends to: every member but itself.
    fn members(&self) -> Vec<NodeId> {
        let mut members = Vec::new();
        for list in [&self.config.in_sync, &self.config.joining] {
            for &n in list {
                if n != self.me {
                    members.push(n);
                }
            }
        }
        members
    }

    pub(super) fn start(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        self.beat(ctx);
        ctx.set_timer(Timer::Check, self.s.check_every());
    }

    /// Heartbeat to the manager (with the checker's report) and, for the primary, to every
    /// backup as an append.
    pub(super) fn beat(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        self.report(ctx);
        if self.role == Role::Primary {
            for b in self.members() {
                self.send_append(ctx, b);
            }
        }
        ctx.set_timer(Timer::Beat, self.s.heartbeat);
    }

    fn report(&self, ctx: &mut Ctx<'_, FailoverNode>) {
        let beat = Msg::Heartbeat {
            version: self.config.version,
            last: self.last(),
            suspects: self.watch.suspects(),
        };
        ctx.send(self.s.manager, beat);
    }

    /// The checker's periodic look at the components this replica depends on.
    pub(super) fn check(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if self.watch.check(&self.s.detector, ctx) {
            self.report(ctx);
        }
        ctx.set_timer(Timer::Check, self.s.check_every());
    }

    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, FailoverNode>, from: NodeId, msg: Msg) {
        match msg {
            // A configuration from before an epoch this replica has heard of is out of date
            // whatever its version (it may name this replica primary of an epoch that is over).
            Msg::Config(c)
                if c.version > self.config.version && !(self.s.fencing && c.epoch < self.epoch) =>
            {
                self.adopt(ctx, c)
            }
            Msg::Append {
                epoch,
                prev,
                entries,
                durable,
            } => self.on_append(ctx, from, epoch, prev, &entries, durable),
            Msg::AppendOk { epoch, matched } => self.on_ok(ctx, from, epoch, matched),
            Msg::AppendGap { epoch, len } if self.role == Role::Primary && epoch <= self.epoch => {
                self.on_gap(ctx, from, len)
            }
            Msg::Fenced { epoch, primary } if epoch > self.epoch => {
                self.epoch = epoch;
                self.demote(ctx, primary);
            }
            Msg::Request(r) if r.read => self.read(ctx, from, r.id),
            Msg::Request(r) => self.write(ctx, Some((from, r.id)), r.command),
            _ => {}
        }
    }

    /// A newer configuration from the manager.
    fn adopt(&mut self, ctx: &mut Ctx<'_, FailoverNode>, c: Config) {
        let was_primary = self.role == Role::Primary;
        self.epoch = self.epoch.max(c.epoch);
        let me = self.me;
        let role = if c.primary == Some(me) {
            Role::Primary
        } else if c.in_sync.contains(&me) {
            Role::Backup
        } else if c.joining.contains(&me) {
            Role::Joining
        } else {
            Role::Removed
        };
        self.config = c;
        // The configuration stays as it is from here on, and so do its members.
        let members = self.members();
        if role == Role::Primary {
            if was_primary {
                // Still primary: count the backups the manager counts, plus the joining ones
                // this primary already counts (the manager hears of them next).
                let mut k = 0;
                while k < self.counted.len() {
                    let (b, c) = (self.counted[k], &self.config);
                    if c.joining.contains(&b) || c.in_sync.contains(&b) {
                        k += 1;
                    } else {
                        self.counted.remove(k);
                    }
                }
                for &b in &self.config.in_sync {
                    if !self.counted.contains(&b) {
                        self.counted.push(b);
                    }
                }
            } else {
                // A new primary counts every member until the manager removes it: a backup it
                // has not heard of may already count in the manager's eyes.
                self.counted = members.clone();
                self.progress.clear();
            }
            let next = self.len() + 1;
            for &b in &members {
                if self.progress_of(b).is_none() {
                    self.progress.push(Progress {
                        node: b,
                        next,
                        matched: 0,
                    });
                }
            }
            let mut k = 0;
            while k < self.progress.len() {
                if self.config.has(self.progress[k].node) {
                    k += 1;
                } else {
                    self.progress.remove(k);
                }
            }
        } else if was_primary {
            let hint = self.config.primary;
            self.demote(ctx, hint);
        }
        if role != self.role {
            self.role = role;
            ctx.note(FailoverNote::Role {
                role,
                epoch: self.epoch,
            });
        }
        let primary = self.config.primary;
        let watched = match role {
            Role::Primary => &members[..],
            Role::Backup | Role::Joining => primary.as_slice(),
            Role::Removed => &[],
        };
        self.watch.set(watched, ctx.now(), self.s.heartbeat);
        if role == Role::Primary {
            self.advance(ctx);
            for &b in &members {
                self.send_append(ctx, b);
            }
        }
    }

    /// Stop acting as primary: a newer epoch exists. Waiting clients are sent to `hint`.
    fn demote(&mut self, ctx: &mut Ctx<'_, FailoverNode>, hint: Option<NodeId>) {
        let hint = hint.filter(|&h| h != self.me);
        for (_, client, id) in self.waiting.drain(..) {
            ctx.send(client, Msg::Response(Response::not_leader(id, hint)));
        }
        self.progress.clear();
        self.counted.clear();
        if self.role == Role::Primary {
            self.role = Role::Removed;
            self.watch.clear();
            ctx.note(FailoverNote::Role {
                role: Role::Removed,
                epoch: self.epoch,
            });
        }
    }

    fn on_append(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        from: NodeId,
        epoch: u64,
        prev: Pos,
        entries: &[Entry],
        durable: u64,
    ) {
        if self.s.fencing {
            if epoch < self.epoch {
                let fenced = Msg::Fenced {
                    epoch: self.epoch,
                    primary: self.config.primary,
                };
                ctx.send(from, fenced);
                return;
            }
            if epoch > self.epoch {
                self.epoch = epoch;
                self.demote(ctx, Some(from));
            }
        }
        if self.role == Role::Primary && self.s.fencing {
            // Not from this epoch's primary (there is one per epoch): nothing to take. Without
            // fencing nobody checks who writes: even a primary takes another's writes, over
            // its own.
            return;
        }
        if self.config.primary == Some(from) {
            self.watch.heard(from, ctx.now());
        }
        if prev.index > self.len() || self.pos(prev.index) != prev {
            let len = self.len().min(prev.index.saturating_sub(1));
            ctx.send(
                from,
                Msg::AppendGap {
                    epoch: self.epoch,
                    len,
                },
            );
            return;
        }
        for (k, e) in entries.iter().enumerate() {
            let at = prev.index as usize + k;
            if self.log.get(at).is_some_and(|mine| mine != e) {
                self.log.truncate(at);
                ctx.note(FailoverNote::Truncate {
                    from: at as u64 + 1,
                });
            }
            if at >= self.log.len() {
                self.log.push(*e);
            }
        }
        let matched = prev.index + entries.len() as u64;
        self.durable = self.durable.max(durable.min(matched));
        let ok = Msg::AppendOk {
            epoch: self.epoch,
            matched,
        };
        ctx.send(from, ok);
    }

    fn on_ok(&mut self, ctx: &mut Ctx<'_, FailoverNode>, from: NodeId, epoch: u64, matched: u64) {
        if self.role != Role::Primary || epoch > self.epoch {
            return;
        }
        self.watch.heard(from, ctx.now());
        let len = self.len();
        let Some(p) = self.progress_of(from) else {
            return;
        };
        let before = p.next;
        p.matched = p.matched.max(matched);
        p.next = p.next.max(matched + 1);
        // Holding the primary's whole history, it holds every acknowledged write (the primary
        // holds them all; its own `durable` may lag, e.g. after a restart).
        let (caught_up, more) = (p.matched >= len, p.next > before && p.next <= len);
        if caught_up && self.config.joining.contains(&from) {
            // From now on acknowledgements wait for it too, and the manager hears so (again,
            // until its configuration says it counts).
            if !self.counted.contains(&from) {
                self.counted.push(from);
            }
            let msg = Msg::CaughtUp {
                version: self.config.version,
                backup: from,
            };
            ctx.send(self.s.manager, msg);
        }
        self.advance(ctx);
        if more {
            self.send_append(ctx, from);
        }
    }

    fn on_gap(&mut self, ctx: &mut Ctx<'_, FailoverNode>, from: NodeId, len: u64) {
        self.watch.heard(from, ctx.now());
        // Back off to what the backup holds; a duplicate or stale answer that moves nothing
        // sends nothing (else copies would multiply).
        if let Some(p) = self.progress_of(from) {
            let next = (p.next - 1).min(len + 1).max(p.matched + 1);
            if next < p.next {
                p.next = next;
                self.send_append(ctx, from);
            }
        }
    }

    fn progress_of(&mut self, node: NodeId) -> Option<&mut Progress> {
        self.progress.iter_mut().find(|p| p.node == node)
    }

    fn send_append(&mut self, ctx: &mut Ctx<'_, FailoverNode>, to: NodeId) {
        let len = self.len();
        let Some(p) = self.progress_of(to) else {
            return;
        };
        let next = p.next.min(len + 1);
        let end = (next - 1 + BATCH as u64).min(len);
        let mut entries = Vec::new();
        for i in next..=end {
            entries.push(self.entry(i));
        }
        let msg = Msg::Append {
            epoch: self.epoch,
            prev: self.pos(next - 1),
            entries,
            durable: self.durable,
        };
        ctx.send(to, msg);
    }

    /// Acknowledge what is now safe: with synchronous replication what every counted backup
    /// holds, with asynchronous replication everything.
    fn advance(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let mut target = self.len();
        if self.s.sync {
            for b in &self.counted {
                let matched = (self.progress.iter())
                    .find(|p| p.node == *b)
                    .map_or(0, |p| p.matched);
                target = target.min(matched);
            }
        }
        if target <= self.durable {
            return;
        }
        self.durable = target;
        ctx.note(FailoverNote::Durable {
            index: target,
            value: self.entry(target).value,
        });
        let mut i = 0;
        while i < self.waiting.len() {
            let (index, client, id) = self.waiting[i];
            if index <= target {
                self.waiting.remove(i);
                ctx.send(client, Msg::Response(Response::done(id)));
            } else {
                i += 1;
            }
        }
    }

    /// A client's read: answered from this replica's own copy if it is the primary or every
    /// replica answers reads, else sent to the primary.
    fn read(&mut self, ctx: &mut Ctx<'_, FailoverNode>, client: NodeId, id: u64) {
        let answer = if self.role == Role::Primary || self.s.read_anywhere {
            self.reads = (self.reads.0 + 1, self.len());
            Response::done(id)
        } else {
            Response::not_leader(id, self.other_primary())
        };
        ctx.send(client, Msg::Response(answer));
    }

    /// A write of `value`, from a workload client (`(client, request id)`) or the page.
    pub(super) fn write(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        client: Option<(NodeId, u64)>,
        value: u64,
    ) {
        if self.role != Role::Primary {
            let hint = self.other_primary();
            match client {
                Some((c, id)) => ctx.send(c, Msg::Response(Response::not_leader(id, hint))),
                None => ctx.note(FailoverNote::Refuse { value }),
            }
            return;
        }
        self.log.push(Entry {
            epoch: self.epoch,
            value,
        });
        let index = self.len();
        if let Some((c, id)) = client {
            self.waiting.push((index, c, id));
        }
        for b in self.members() {
            if self.progress_of(b).is_some_and(|p| p.next == index) {
                self.send_append(ctx, b);
            }
        }
        self.advance(ctx);
    }

    /// A crash: everything but the history and the epoch is forgotten.
    pub(super) fn crash(&mut self) {
        // Field by field rather than a fresh `Replica::new`: building and dropping a whole
        // replica costs the page more code.
        self.config = Config::default();
        self.role = Role::Removed;
        self.durable = 0;
        self.progress.clear();
        self.counted.clear();
        self.waiting.clear();
        self.watch.clear();
    }

    pub(super) fn view(&self) -> NodeView {
        let first = self.len().saturating_sub(NodeView::LOG_TAIL as u64);
        let mut log = Vec::new();
        for i in first..self.len() {
            let e = self.entry(i + 1);
            log.push(EntryView {
                epoch: e.epoch,
                command: describe_command(e.value),
                committed: i < self.durable,
            });
        }
        let mut fields = vec![
            ("configuration", self.config.version.to_string()),
            (
                "primary",
                match self.config.primary {
                    Some(p) => names(&[p]),
                    None => "none known".into(),
                },
            ),
            ("writes", self.len().to_string()),
            ("acknowledged up to", self.durable.to_string()),
            ("suspects", names(&self.watch.suspects())),
        ];
        if self.role == Role::Primary {
            fields.push(("waits for", names(&self.counted)));
            fields.push(("clients waiting", self.waiting.len().to_string()));
        }
        NodeView {
            role: self.role.name(),
            epoch: self.epoch,
            log,
            log_len: self.len(),
            log_committed: self.durable,
            fields,
            has_log: true,
            lead_claim: None,
            queue: Vec::new(),
        }
    }
}
