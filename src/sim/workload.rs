//! Clients on the wire: workload generators that are nodes like any other.
//!
//! A [`Client`] sends requests to the protocol's main kind as messages, so the network drops,
//! delays and partitions them like any other, and it measures what a user of the service would:
//! each request's outcome (answered, refused or timed out) and its latency from first send to
//! answer, retries included. A protocol opts in by declaring the client kind ([`kind`]), its
//! parameters ([`params`]) and series ([`SERIES`]), and by saying how its messages carry a
//! request and an answer ([`Wire`]).
//!
//! Arrivals are open-loop (Poisson at a rate per client, or bursty: batches of requests at the
//! same average rate) or closed-loop (a fixed number of requests in flight, each followed by an
//! exponentially distributed think time). A client sends to the server it believes leads,
//! follows a redirect's hint at once, and otherwise retries at the next server when an attempt
//! times out; after [`MAX_ATTEMPTS`] it gives up. Retries make delivery at-least-once: a
//! command whose answer was lost may be applied twice, as with any client without sessions.

use super::json::{JsonFields, JsonObject};
use super::metrics::{Series, SeriesKind};
use super::node::{Ctx, Message, MsgView, Node, NodeId, NodeView, Note, ParamSpec};
use super::picture::{ChartSpec, Host, KindSpec, Panel};
use super::time::{MS, Micros, SEC};

/// The kind's name, as it stands in accessible names and [`super::Setup::ids_of`].
pub const CLIENT: &str = "client";
/// The count parameter's key: `clients=3` in links.
pub const CLIENTS: &str = "clients";
/// Most clients a run may have.
pub const MAX_CLIENTS: u64 = 16;
/// Attempts per request before the client gives up on it.
pub const MAX_ATTEMPTS: u32 = 5;
/// Most requests one client keeps in flight; arrivals beyond it are refused at once (an open-loop
/// client facing a service that has stopped answering would otherwise pile them up forever).
pub const MAX_IN_FLIGHT: usize = 64;

/// Latency of every answered request, from its first send to its answer (retries included).
pub const LATENCY: Series = Series {
    name: "client_latency",
    kind: SeriesKind::Latency,
    title: "Client-observed latency",
};
/// Requests answered with success.
pub const OK: Series = Series {
    name: "client_ok",
    kind: SeriesKind::Counter,
    title: "Requests answered",
};
/// Requests that ended refused (every attempt redirected or refused, or too many in flight).
pub const FAILED: Series = Series {
    name: "client_failed",
    kind: SeriesKind::Counter,
    title: "Requests failed",
};
/// Requests whose last attempt got no answer.
pub const TIMED_OUT: Series = Series {
    name: "client_timed_out",
    kind: SeriesKind::Counter,
    title: "Requests timed out",
};
/// The series clients write, for a protocol's [`super::ProtocolInfo::series`].
pub const SERIES: [Series; 4] = [LATENCY, OK, FAILED, TIMED_OUT];

/// How requests arrive, the `arrivals` parameter.
const ARRIVALS: &[&str] = &["poisson", "bursty", "closed"];

/// The client kind, for a protocol's [`super::ProtocolInfo::kinds`] (declare it last).
pub fn kind() -> KindSpec {
    KindSpec {
        name: CLIENT,
        count: CLIENTS,
        host: Host::Workload,
        panel: Panel::Table,
    }
}

/// The client parameters, for a protocol's [`super::ProtocolInfo::params`]: how many clients,
/// how their requests arrive and when they retry.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::count(CLIENTS, "Clients", 0, MAX_CLIENTS),
        ParamSpec::choice("arrivals", "Client arrivals", ARRIVALS, "poisson"),
        ParamSpec {
            min: 1,
            ..ParamSpec::count("rate", "Requests per second per client", 5, 1_000)
        },
        ParamSpec {
            min: 1,
            ..ParamSpec::count(
                "in_flight",
                "Requests in flight per closed-loop client",
                1,
                32,
            )
        },
        ParamSpec::micros("think", "Closed-loop think time", 100 * MS, 0, 10 * SEC),
        ParamSpec::micros("retry", "Client retry timeout", 300 * MS, MS, 10 * SEC),
    ]
}

/// The charts of client traffic, for a protocol's [`super::Picture::charts`]: shown when the
/// run has clients.
pub fn charts() -> Vec<ChartSpec> {
    vec![
        ChartSpec::of("Client-observed latency", &[LATENCY.name]).when(CLIENT),
        ChartSpec::of(
            "Client requests per second by outcome",
            &[OK.name, FAILED.name, TIMED_OUT.name],
        )
        .when(CLIENT),
    ]
}

/// The reads parameter's key: the percent of requests that are reads.
pub const READS: &str = "reads";
/// The key of the parameter saying where reads go: `primary` (the server believed to lead) or
/// `any` (a server at random, which may answer from a stale copy).
pub const READ_FROM: &str = "read_from";

/// The read parameters, for a protocol whose servers answer reads ([`Request::read`]): clients
/// of other protocols only write.
pub fn read_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::count(READS, "Reads (% of requests)", 0, 100),
        ParamSpec::choice(READ_FROM, "Reads go to", &["primary", "any"], "primary"),
    ]
}

/// A client's request as the protocol's message carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// The client's number for it (unique per client).
    pub id: u64,
    /// The command to run ([`command`]: client and request packed, so entries say whose they are).
    pub command: u64,
    /// A read (of the latest value) rather than a write of `command`.
    pub read: bool,
}

/// A server's answer to a [`Request`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    /// The request answered.
    pub id: u64,
    /// What became of it.
    pub answer: Answer,
}

/// What a server says about a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Done (committed and applied).
    Done,
    /// This server does not lead; it names the one it believes does, if it knows.
    NotLeader {
        /// The believed leader.
        hint: Option<NodeId>,
    },
    /// The service shed the request (a full queue): final, the client does not retry it and
    /// counts it as failed.
    Dropped,
}

/// What a client sends and understands, in its own terms: the engine's adapter turns a
/// `Request` into the protocol's message on the way out and a protocol message carrying a
/// [`Response`] into this on the way in (see [`Wire`]), so the client is one piece of code
/// whatever the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientMsg {
    /// A request to a server.
    Request(Request),
    /// A server's answer.
    Response(Response),
}

/// A request's fields, as every protocol's message carrying it writes them after its `type`:
/// `id`, `command`, and `read` only for a read.
impl JsonFields for Request {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("id", self.id).u64("command", self.command);
        if self.read {
            o.bool("read", true);
        }
    }
}

/// An answer's fields: `id`, then `answer`, which is `"done"` or
/// `{"not_leader":{"hint":N}}` (`{"not_leader":{}}` without a hint).
impl JsonFields for Response {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("id", self.id);
        match self.answer {
            Answer::Done => o.str("answer", "done"),
            Answer::Dropped => o.str("answer", "dropped"),
            Answer::NotLeader { hint } => o.object_with("answer", &mut |o| {
                o.object_with("not_leader", &mut |o| {
                    if let Some(hint) = hint {
                        o.u64("hint", hint.into());
                    }
                });
            }),
        };
    }
}

/// A client message is written as the request or answer itself, with no tag.
impl JsonFields for ClientMsg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            ClientMsg::Request(r) => r.json_fields(o),
            ClientMsg::Response(r) => r.json_fields(o),
        }
    }
}

impl Message for ClientMsg {
    fn view(&self) -> MsgView {
        match self {
            ClientMsg::Request(r) => r.view(),
            ClientMsg::Response(r) => r.view(),
        }
    }
}

/// How a protocol's messages carry client traffic: the one thing a protocol writes to have
/// clients on the wire.
pub struct Wire<M> {
    /// Wraps a request in the protocol's message type.
    pub request: fn(Request) -> M,
    /// The answer a message carries, if it is one.
    pub response: fn(&M) -> Option<Response>,
}

impl<M> Clone for Wire<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Wire<M> {}
impl<M> std::fmt::Debug for Wire<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wire")
    }
}

impl Request {
    /// How the page names and explains the request on the wire.
    pub fn view(&self) -> MsgView {
        MsgView {
            kind: "Request",
            reply: false,
            success: None,
            detail: if self.read {
                format!("request {}: read", self.id)
            } else {
                format!(
                    "request {}: command {}",
                    self.id,
                    describe_command(self.command)
                )
            },
        }
    }
}

impl Response {
    /// Request `id` is done.
    pub fn done(id: u64) -> Self {
        Response {
            id,
            answer: Answer::Done,
        }
    }

    /// The server is not the leader; `hint` is the one it believes leads, if it knows.
    pub fn not_leader(id: u64, hint: Option<NodeId>) -> Self {
        Response {
            id,
            answer: Answer::NotLeader { hint },
        }
    }

    /// How the page names and explains the response on the wire.
    pub fn view(&self) -> MsgView {
        let detail = match self.answer {
            Answer::Done => format!("request {}: done", self.id),
            Answer::NotLeader { hint: Some(leader) } => {
                format!("request {}: not the leader, try Node {leader}", self.id)
            }
            Answer::NotLeader { hint: None } => {
                format!("request {}: not the leader, no leader known", self.id)
            }
            Answer::Dropped => format!("request {}: dropped, the queue is full", self.id),
        };
        MsgView {
            kind: "Response",
            reply: true,
            success: Some(self.answer == Answer::Done),
            detail,
        }
    }
}

/// The command a client's request carries: the client's id and the request's number packed
/// into one integer, so a log entry tells whose request it is ([`describe_command`]).
pub fn command(client: NodeId, id: u64) -> u64 {
    (u64::from(client) << 32) | (id & 0xffff_ffff)
}

/// A command as people read it: `7.12` for request 12 of client Node 7, the bare number for a
/// command typed in the page.
pub fn describe_command(command: u64) -> String {
    match command >> 32 {
        0 => command.to_string(),
        client => format!("{client}.{}", command & 0xffff_ffff),
    }
}

/// How a client generates requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arrivals {
    /// Poisson arrivals at `rate` per second.
    Poisson,
    /// Batches of requests (4 on average) at the same average rate.
    Bursty,
    /// `in_flight` requests outstanding, each followed by a think time.
    Closed,
}

/// A client's fixed configuration, from the setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Config {
    arrivals: Arrivals,
    rate: u64,
    in_flight: u64,
    think: Micros,
    retry: Micros,
    /// Percent of requests that are reads (0 unless the protocol declares [`read_params`]).
    reads: u64,
    /// Reads go to any server at random rather than to the one believed to lead.
    read_anywhere: bool,
}

/// A client's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientTimer {
    /// Open loop: the next arrival is due.
    Arrival,
    /// Closed loop: a think time ended; send the next request.
    Think(u64),
    /// The attempt in flight for this request got no answer in time.
    Retry(u64),
}

/// One request not yet settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    command: u64,
    read: bool,
    first_sent: Micros,
    attempts: u32,
    /// Whether the last attempt was refused (rather than unanswered).
    refused: bool,
}

/// What became of a request, for the trace and the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientNote {
    /// Answered with success.
    Answered {
        /// The request.
        request: u64,
        /// From first send to answer, µs.
        latency: Micros,
        /// How many attempts it took.
        attempts: u32,
    },
    /// Given up on: every attempt was refused or redirected, or too many were in flight.
    Failed {
        /// The request.
        request: u64,
    },
    /// Given up on: the last attempt got no answer.
    TimedOut {
        /// The request.
        request: u64,
    },
}

impl JsonFields for ClientNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match *self {
            ClientNote::Answered {
                request,
                latency,
                attempts,
            } => o
                .u64("request", request)
                .u64("latency", latency)
                .u64("attempts", attempts.into()),
            ClientNote::Failed { request } | ClientNote::TimedOut { request } => {
                o.u64("request", request)
            }
        };
    }
}

impl Note for ClientNote {
    fn kind(&self) -> &'static str {
        match self {
            ClientNote::Answered { .. } => "answered",
            ClientNote::Failed { .. } => "failed",
            ClientNote::TimedOut { .. } => "timed_out",
        }
    }
    fn describe(&self, node: NodeId) -> String {
        match *self {
            ClientNote::Answered {
                request,
                latency,
                attempts,
            } => format!(
                "Node {node}'s request {request} was answered after {} ms ({attempts} {})",
                super::param::millis(latency),
                if attempts == 1 { "attempt" } else { "attempts" }
            ),
            ClientNote::Failed { request } => {
                format!("Node {node} gave up on request {request}: refused")
            }
            ClientNote::TimedOut { request } => {
                format!("Node {node} gave up on request {request}: no answer")
            }
        }
    }
    fn headline(&self, _node: NodeId) -> Option<String> {
        None
    }
}

/// A workload client: a node that sends requests and measures their outcomes.
#[derive(Clone, Debug)]
pub struct Client {
    me: NodeId,
    cfg: Config,
    /// The servers (the protocol's main kind): `1..=servers`.
    servers: NodeId,
    /// The server the next attempt goes to.
    target: NodeId,
    next_id: u64,
    /// Requests in flight by id, oldest first (a few dozen at most: a list is enough).
    pending: Vec<(u64, Pending)>,
    answered: u64,
    failed: u64,
    timed_out: u64,
    /// Requests that were in flight when the client crashed: nobody is left to see them end.
    abandoned: u64,
    last_latency: Option<Micros>,
}

impl Client {
    /// Client `me` of a run whose main kind has `servers` nodes, configured by the setup's
    /// client parameters ([`params`]).
    pub fn new(me: NodeId, servers: usize, setup: &super::Setup) -> Self {
        let arrivals = match setup.param("arrivals") {
            0 => Arrivals::Poisson,
            1 => Arrivals::Bursty,
            _ => Arrivals::Closed,
        };
        let servers = servers as NodeId;
        Client {
            me,
            cfg: Config {
                arrivals,
                rate: setup.param("rate"),
                reads: setup.param_or(READS, 0),
                read_anywhere: setup.param_or(READ_FROM, 0) == 1,
                in_flight: setup.param("in_flight"),
                think: setup.param("think"),
                retry: setup.param("retry"),
            },
            servers,
            // Clients start spread over the servers, as if each knew a different address.
            target: (me - 1) % servers.max(1) + 1,
            next_id: 1,
            pending: Vec::new(),
            answered: 0,
            failed: 0,
            timed_out: 0,
            abandoned: 0,
            last_latency: None,
        }
    }

    /// Requests started so far: each is answered, failed, timed out, abandoned in a crash of
    /// the client, or still in flight.
    pub fn started(&self) -> u64 {
        self.next_id - 1
    }

    /// Requests answered so far.
    pub fn answered(&self) -> u64 {
        self.answered
    }

    /// Requests given up on so far: (refused, timed out).
    pub fn given_up(&self) -> (u64, u64) {
        (self.failed, self.timed_out)
    }

    /// Requests that were in flight when the client crashed.
    pub fn abandoned(&self) -> u64 {
        self.abandoned
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    fn pending_mut(&mut self, id: u64) -> Option<&mut Pending> {
        self.pending
            .iter_mut()
            .find(|(p, _)| *p == id)
            .map(|(_, p)| p)
    }

    fn next_server(&self, after: NodeId) -> NodeId {
        after % self.servers.max(1) + 1
    }

    /// The mean gap between arrivals (or batches), µs.
    fn mean_gap(&self) -> f64 {
        let per_batch = if self.cfg.arrivals == Arrivals::Bursty {
            4.0
        } else {
            1.0
        };
        per_batch * SEC as f64 / self.cfg.rate as f64
    }

    fn schedule_arrival(&mut self, ctx: &mut Ctx<'_, Self>) {
        let gap = ctx.random_gap(self.mean_gap());
        ctx.set_timer(ClientTimer::Arrival, gap);
    }

    /// Starts a new request, or refuses it at once if too many are in flight.
    fn start_request(&mut self, ctx: &mut Ctx<'_, Self>) {
        let id = self.next_id;
        self.next_id += 1;
        if self.pending.len() >= MAX_IN_FLIGHT {
            self.give_up(ctx, id, true);
            return;
        }
        // Drawn only when reads are on, so runs without them keep their random stream.
        let read = self.cfg.reads > 0 && ctx.random_range(1, 100) <= self.cfg.reads;
        self.pending.push((
            id,
            Pending {
                command: command(self.me, id),
                read,
                first_sent: ctx.now(),
                attempts: 0,
                refused: false,
            },
        ));
        self.attempt(ctx, id);
    }

    /// Sends request `id` to the current target, or gives up if it has had every attempt.
    fn attempt(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let Some(p) = self.pending_mut(id) else {
            return;
        };
        if p.attempts >= MAX_ATTEMPTS {
            let refused = p.refused;
            self.settle(ctx, id);
            self.give_up(ctx, id, refused);
            return;
        }
        p.attempts += 1;
        p.refused = false;
        let request = Request {
            id,
            command: p.command,
            read: p.read,
        };
        let to = if p.read && self.cfg.read_anywhere {
            ctx.random_range(1, u64::from(self.servers)) as NodeId
        } else {
            self.target
        };
        ctx.send(to, ClientMsg::Request(request));
        ctx.set_timer(ClientTimer::Retry(id), self.cfg.retry);
    }

    /// Counts request `id` as given up on: failed if it was `refused`, else timed out.
    fn give_up(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, refused: bool) {
        if refused {
            self.failed += 1;
            ctx.record(FAILED, 1);
            ctx.note(ClientNote::Failed { request: id });
        } else {
            self.timed_out += 1;
            ctx.record(TIMED_OUT, 1);
            ctx.note(ClientNote::TimedOut { request: id });
        }
    }

    /// Request `id` is settled: forget it and, in a closed loop, think before the next one.
    fn settle(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        self.pending.retain(|(p, _)| *p != id);
        ctx.cancel_timer(ClientTimer::Retry(id));
        if self.cfg.arrivals == Arrivals::Closed {
            self.think(ctx, id);
        }
    }

    /// Closed loop: the slot freed by request `id` sends again after a think time.
    fn think(&mut self, ctx: &mut Ctx<'_, Self>, slot: u64) {
        let gap = ctx.random_gap(self.cfg.think as f64);
        ctx.set_timer(ClientTimer::Think(slot), gap);
    }

    fn on_response(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, response: Response) {
        let Some(p) = self.pending_mut(response.id) else {
            return; // an answer to an attempt already settled (a duplicate or a late one)
        };
        match response.answer {
            Answer::Done => {
                let (latency, attempts) = (ctx.now() - p.first_sent, p.attempts);
                if !(p.read && self.cfg.read_anywhere) {
                    self.target = from;
                }
                self.answered += 1;
                self.last_latency = Some(latency);
                ctx.record(LATENCY, latency as i64);
                ctx.record(OK, 1);
                ctx.note(ClientNote::Answered {
                    request: response.id,
                    latency,
                    attempts,
                });
                self.settle(ctx, response.id);
            }
            Answer::Dropped => {
                self.settle(ctx, response.id);
                self.give_up(ctx, response.id, true);
            }
            Answer::NotLeader { hint } => {
                p.refused = true;
                match hint.filter(|&h| h != from && (1..=self.servers).contains(&h)) {
                    // Follow the redirect at once.
                    Some(leader) => {
                        self.target = leader;
                        self.attempt(ctx, response.id);
                    }
                    // Nobody known to lead (an election is on): try the next server after a
                    // short back-off rather than hammering the cluster.
                    None => {
                        self.target = self.next_server(from);
                        ctx.set_timer(ClientTimer::Retry(response.id), self.cfg.retry / 4 + 1);
                    }
                }
            }
        }
    }
}

impl Node for Client {
    type Msg = ClientMsg;
    type Timer = ClientTimer;
    type Note = ClientNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self.cfg.arrivals {
            Arrivals::Poisson | Arrivals::Bursty => self.schedule_arrival(ctx),
            Arrivals::Closed => {
                for slot in 0..self.cfg.in_flight {
                    self.think(ctx, u64::MAX - slot);
                }
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: ClientMsg) {
        if let ClientMsg::Response(response) = msg {
            self.on_response(ctx, from, response);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: ClientTimer) {
        match timer {
            ClientTimer::Arrival => {
                let batch = if self.cfg.arrivals == Arrivals::Bursty {
                    // Geometric with mean 4: each further request with probability 3/4.
                    let mut k = 1;
                    while k < 32 && ctx.random_range(0, 3) != 0 {
                        k += 1;
                    }
                    k
                } else {
                    1
                };
                for _ in 0..batch {
                    self.start_request(ctx);
                }
                self.schedule_arrival(ctx);
            }
            ClientTimer::Think(_) => self.start_request(ctx),
            ClientTimer::Retry(id) => {
                if self.pending_mut(id).is_some_and(|p| !p.refused) {
                    // The attempt went unanswered: the target may be down or cut off.
                    self.target = self.next_server(self.target);
                }
                self.attempt(ctx, id);
            }
        }
    }

    /// The node menu's request: one more request now, whatever the arrival pattern.
    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, _command: u64) {
        self.start_request(ctx);
    }

    /// Retries every request in flight now.
    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        let ids: Vec<u64> = self.pending.iter().map(|(id, _)| *id).collect();
        for id in ids {
            self.attempt(ctx, id);
        }
    }

    /// A crashed client forgets the requests it had in flight (counted as abandoned).
    fn crash(&mut self) {
        self.abandoned += self.pending.len() as u64;
        self.pending.clear();
    }

    fn accepts_clients(&self) -> bool {
        false
    }

    fn is_countdown(_timer: &ClientTimer) -> bool {
        false
    }

    fn view(&self) -> NodeView {
        let mut fields = vec![
            ("sends to", format!("Node {}", self.target)),
            ("in flight", self.pending.len().to_string()),
            ("answered", self.answered.to_string()),
            ("failed", self.failed.to_string()),
            ("timed out", self.timed_out.to_string()),
        ];
        if self.abandoned > 0 {
            fields.push(("lost in crashes", self.abandoned.to_string()));
        }
        if let Some(l) = self.last_latency {
            // To a tenth of a millisecond: enough to read, short enough for a table.
            let tenths = (l + 50) / 100 * 100;
            fields.push((
                "last latency",
                format!("{} ms", super::param::millis(tenths)),
            ));
        }
        NodeView {
            role: CLIENT,
            fields,
            ..NodeView::default()
        }
    }
}
