//! A server: a number of workers, a bounded queue and a speed. A request forwarded while every
//! worker is busy waits in the queue; one forwarded while the queue is full is dropped (shed)
//! and the balancer is told at once. Everything is volatile: a crash loses the queue and the
//! requests in service.

use super::msg::{LbNote, Msg};
use super::node::{Bugs, LbNode, Settings, Timer};
use super::{KNOB_SPEED, KNOB_WEIGHT, series};
use crate::sim::{Ctx, Micros, NodeId};

/// One request at a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// The balancer's ticket.
    pub ticket: u64,
    /// Work at normal speed (µs).
    pub cost: Micros,
    /// When it reached the server (the page colours waiting requests by their wait).
    pub arrived: Micros,
}

/// A server's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    me: NodeId,
    balancer: NodeId,
    workers: usize,
    capacity: usize,
    /// Speed in percent of normal: a job of cost c takes c × 100 / speed.
    speed: u64,
    /// Its weight at the balancer (shown here; the balancer keeps its own copy).
    weight: u64,
    busy: Vec<Job>,
    /// Jobs waiting, oldest first (a plain list, as `busy`: a queue of at most a hundred
    /// places needs no ring buffer's code).
    queue: Vec<Job>,
    served: u64,
    dropped: u64,
    /// How often the server samples its queue and utilisation.
    sample_every: Micros,
    /// Work done (µs of service) since the last utilisation sample.
    worked: Micros,
    bugs: Bugs,
}

impl Server {
    /// Server `me` of a run with these settings.
    pub fn new(me: NodeId, s: &Settings) -> Self {
        Server {
            me,
            balancer: s.balancer,
            workers: s.workers,
            capacity: s.queue,
            speed: s.speed_of(me),
            weight: s.weight_of(me).into(),
            busy: Vec::new(),
            queue: Vec::new(),
            served: 0,
            dropped: 0,
            sample_every: s.sample_every,
            worked: 0,
            bugs: s.bugs,
        }
    }

    /// Its node id.
    pub fn id(&self) -> NodeId {
        self.me
    }

    /// Requests in service or waiting.
    pub fn load(&self) -> u32 {
        (self.busy.len() + self.queue.len()) as u32
    }

    /// Requests waiting (not in service).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Requests served since the start.
    pub fn served(&self) -> u64 {
        self.served
    }

    /// Requests dropped by a full queue since the start.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Speed in percent of normal.
    pub fn speed(&self) -> u64 {
        self.speed
    }

    fn service_time(&self, job: &Job) -> Micros {
        (job.cost * 100 / self.speed.max(1)).max(1)
    }

    fn serve(&mut self, ctx: &mut Ctx<'_, LbNode>, job: Job) {
        ctx.set_timer(Timer::Finish(job.ticket), self.service_time(&job));
        self.busy.push(job);
    }

    /// Starts sampling (at boot and after every restart).
    pub fn start(&mut self, ctx: &mut Ctx<'_, LbNode>) {
        ctx.set_timer(Timer::Sample, self.sample_every);
    }

    /// Samples the queue length and how busy the workers were (percent of worker time used
    /// since the last sample), and sets the next sample.
    pub fn sample(&mut self, ctx: &mut Ctx<'_, LbNode>) {
        ctx.record(series::QUEUE, self.queue.len() as i64);
        let capacity = self.sample_every * self.workers as Micros;
        let used = (self.worked * 100).checked_div(capacity).unwrap_or(0);
        ctx.record(series::UTILISATION, used.min(100) as i64);
        self.worked = 0;
        ctx.set_timer(Timer::Sample, self.sample_every);
    }

    /// Handles a message from `from`.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_, LbNode>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Forward { ticket, cost } => {
                let job = Job {
                    ticket,
                    cost,
                    arrived: ctx.now(),
                };
                if self.busy.len() < self.workers {
                    self.serve(ctx, job);
                } else if self.queue.len() < self.capacity
                    || (self.bugs.queue_off_by_one && self.queue.len() == self.capacity)
                {
                    self.queue.push(job);
                } else {
                    self.dropped += 1;
                    ctx.record(series::DROPPED, 1);
                    ctx.note(LbNote::Drop { ticket });
                    ctx.send(
                        from,
                        Msg::Shed {
                            ticket,
                            load: self.load(),
                        },
                    );
                }
            }
            Msg::Ping => ctx.send(from, Msg::Pong { load: self.load() }),
            _ => {}
        }
    }

    /// A job finished: answer the balancer and start the next waiting one.
    pub fn finish(&mut self, ctx: &mut Ctx<'_, LbNode>, ticket: u64) {
        let Some(i) = self.busy.iter().position(|j| j.ticket == ticket) else {
            return;
        };
        let job = self.busy.swap_remove(i);
        self.worked += self.service_time(&job);
        self.served += 1;
        if !self.queue.is_empty() {
            let next = self.queue.remove(0);
            self.serve(ctx, next);
        }
        ctx.send(
            self.balancer,
            Msg::Served {
                ticket,
                load: self.load(),
            },
        );
    }

    /// A crash: the queue and the requests in service are lost.
    pub fn crash(&mut self) {
        self.busy.clear();
        self.queue.clear();
        self.worked = 0;
    }

    /// A knob of this server changed (see [`super::KNOBS`]): a new speed applies to the
    /// requests it starts from now on.
    pub fn on_param(&mut self, key: &str, value: u64) {
        match key {
            KNOB_SPEED => self.speed = value.max(1),
            KNOB_WEIGHT => self.weight = value,
            _ => {}
        }
    }

    /// When each waiting request arrived, oldest first.
    pub fn waiting_since(&self) -> Vec<Micros> {
        let mut out = Vec::with_capacity(self.queue.len());
        for job in &self.queue {
            out.push(job.arrived);
        }
        out
    }

    /// The server's fields for the inspector.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "In service",
                format!("{} of {}", self.busy.len(), self.workers),
            ),
            (
                "Queued",
                format!("{} of {}", self.queue.len(), self.capacity),
            ),
            ("Speed", format!("{} %", self.speed)),
            ("Weight", self.weight.to_string()),
            ("Served", self.served.to_string()),
            ("Dropped", self.dropped.to_string()),
        ]
    }
}
