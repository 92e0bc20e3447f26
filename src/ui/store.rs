//! The page's one store: the running [`Lab`], the play state and what is shown, updated by
//! [`Msg`]s through Yew's `use_reducer`.
//!
//! Each change takes a fresh [`Frame`] (a snapshot of what the views draw). Parts that did not
//! change keep their `Rc`, so components whose inputs are unchanged skip rendering; an animation
//! frame in which no event happened only moves the clock and the messages.

use crate::sim::sorted_map::SortedMap;
use std::cell::{Cell, RefCell};
use std::ops::Deref;
use std::rc::Rc;

use yew::Reducible;

use crate::causal_view::ClockChoice;
use crate::protocols;
use crate::scenario::Scenario;
use crate::side_by_side::{self, Versus};
use crate::sim::action::ActionKind;
use crate::sim::lab::{
    ChaosView, DropReason, FlightView, InvariantStatus, Lab, Milestone, NetworkView, NodeState,
};
use crate::sim::node::{Diagram, NodeId, ProtocolInfo, Setup};
use crate::sim::time::{MS, Micros, format_time};

use super::geometry::{DEFAULT_SPEED, Layout, SPEEDS, flight_frac};
use super::intro::{self, Intro};
use super::message::FlightLabel;
use super::raf::{LagMeter, advance_within};
use super::trace_export::Export;
use super::{dom, url};

/// A shared, immutable value compared by identity: cheap to pass as a prop, and "equal" exactly
/// when the store did not replace it.
#[derive(Debug)]
pub struct Snap<T>(pub Rc<T>);

impl<T> Snap<T> {
    /// Wraps a value.
    pub fn new(v: T) -> Self {
        Snap(Rc::new(v))
    }
}

impl<T> Clone for Snap<T> {
    fn clone(&self) -> Self {
        Snap(self.0.clone())
    }
}

impl<T> PartialEq for Snap<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Snap<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A message that was lost recently, drawn as a fading mark.
#[derive(Clone, Debug, PartialEq)]
pub struct LostMark {
    /// Message id.
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Intended receiver.
    pub to: NodeId,
    /// Message type.
    pub kind: &'static str,
    /// Why it was lost.
    pub reason: DropReason,
    /// Virtual time it was lost.
    pub at: Micros,
    /// How far along its way it was when lost.
    pub frac: f64,
}

/// What the views draw at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Virtual time now.
    pub now: Micros,
    /// Latest virtual time explored (end of the time slider).
    pub horizon: Micros,
    /// Events processed so far.
    pub events: u64,
    /// Actions recorded on this branch.
    pub actions: usize,
    /// Every node (each shared on its own, so that unchanged nodes skip rendering).
    pub nodes: Snap<Vec<Snap<NodeState>>>,
    /// The event count at which `nodes`, `invariants` and `network` were read.
    pub nodes_events: u64,
    /// Cluster-wide facts no single node knows (e.g. the chosen value), if the protocol has any.
    pub summary: Snap<Vec<(String, String)>>,
    /// The event count at which `summary` was read (see `summary::refresh`).
    pub summary_events: u64,
    /// The protocol's diagram (load balancing's hashing ring), read with `summary`.
    pub diagram: Snap<Option<Diagram>>,
    /// The run's setup now: the live parameters' and the nodes' knobs' current values.
    pub setup: Snap<Setup>,
    /// Messages on the wire.
    pub flights: Snap<Vec<FlightView>>,
    /// Names, tooltips and classes of `flights`, in the same order (made once per message).
    pub labels: Snap<Vec<FlightLabel>>,
    /// Recently lost messages.
    pub lost: Snap<Vec<LostMark>>,
    /// How long (virtual µs) a lost mark stays visible.
    pub lost_window: Micros,
    /// Invariants and their status.
    pub invariants: Snap<Vec<InvariantStatus>>,
    /// Virtual time after which the drawing visibly changes even without events (a message or a
    /// countdown arc moves by about a pixel).
    pub still: Micros,
    /// The network's shape.
    pub network: Snap<NetworkView>,
    /// Chaos mode's rate and the faults it injected up to now.
    pub chaos: ChaosView,
    /// How many of `nodes` are the protocol's peers (the rest are clients and other kinds).
    pub peers: usize,
    /// Where every node stands, as the protocol's picture asks.
    pub layout: Layout,
}

/// What a node or message menu is open for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    /// The menu of node `id`.
    Node(NodeId),
    /// The menu of in-flight message `id`.
    Message(u64),
    /// The links of node `id`, each to cut or restore.
    Links(NodeId),
    /// The link between two nodes.
    Link(NodeId, NodeId),
}

/// The Share button's state.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareState {
    /// The permalink.
    pub link: String,
    /// `None` while copying, then whether the clipboard accepted it.
    pub copied: Option<bool>,
    /// Whether `link` is an `<iframe>` embed snippet rather than a plain link.
    pub code: bool,
}

/// One line of the recent-events list.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    /// Virtual time.
    pub t: Micros,
    /// The sentence.
    pub text: String,
    /// The milestone the line marks, if any.
    pub marker: Option<Milestone>,
}

/// The page's whole state.
#[derive(Clone)]
pub struct Store {
    /// The run.
    pub lab: Rc<RefCell<Box<dyn Lab>>>,
    /// The protocol's description.
    pub info: Snap<ProtocolInfo>,
    /// The run's starting scenario (without actions): what the settings panel edits.
    pub scenario: Snap<Scenario>,
    /// Registered protocols, for the protocol picker.
    pub protocols: Snap<Vec<ProtocolInfo>>,
    /// What is drawn now.
    pub frame: Rc<Frame>,
    /// Whether virtual time advances with wall time.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Sub-microsecond remainder carried between frames (kept outside the `Rc` so that a frame
    /// too short to move the clock does not re-render).
    carry: Rc<Cell<f64>>,
    /// Wall milliseconds played since the last render.
    unrendered: Rc<Cell<f64>>,
    /// The time shown by the clock and the time slider: (now, horizon). While playing it is
    /// updated ten times a second, which keeps the page's layout work low.
    pub clock: (Micros, Micros),
    /// Wall milliseconds played since the clock was last updated.
    clock_age: Rc<Cell<f64>>,
    /// Wall milliseconds played since node states were last read.
    nodes_age: Rc<Cell<f64>>,
    /// Wall milliseconds played since the cluster summary was last read (see `summary::refresh`).
    summary_age: Rc<Cell<f64>>,
    /// The node shown in the inspector.
    pub selected: Option<NodeId>,
    /// The open menu.
    pub menu: Option<Menu>,
    /// Play again when the menu closes (a message menu pauses the run).
    resume_after_menu: bool,
    /// Whether the keyboard help is open.
    pub help: bool,
    /// Problems found in the page's URL, shown until dismissed.
    pub notices: Snap<Vec<String>>,
    /// The outcome of the last thing the visitor did, if worth saying (e.g. a refused action).
    pub status: Option<String>,
    /// Text of the ARIA live region.
    pub announce: String,
    /// Recent headlines, newest last.
    pub recent: Snap<Vec<Headline>>,
    /// Trace lines already scanned for headlines.
    trace_seen: usize,
    /// Compact iframe layout.
    pub embed: bool,
    /// Messages jump instead of gliding.
    pub reduced_motion: bool,
    /// The logical clock the space-time diagram labels events with (link key `clocks`).
    pub clocks: ClockChoice,
    /// The Share panel, when open.
    pub share: Option<ShareState>,
    /// Where each recently lost message was when lost.
    lost_frac: Rc<SortedMap<u64, f64>>,
    /// Counts new runs (used as a key to reset per-run widgets).
    pub run: u64,
    /// The `debug=panic` test hook was requested.
    pub debug_panic: bool,
    /// The selected node as it was before the latest change that was read: the inspector marks
    /// what differs (see `inspector::previous`).
    pub prev_selected: Option<Snap<NodeState>>,
    /// Timeline markers of the branch (see `timeline::track`).
    pub milestones: Snap<super::timeline::Milestones>,
    /// The partition being drawn (side of each node), while the network panel's partition mode
    /// is open.
    pub partition: Option<Vec<u8>>,
    /// Why the last trace import failed, shown until the next import.
    pub import_error: Option<String>,
    /// The run was paused because the page was hidden or scrolled out of view.
    auto_paused: bool,
    /// The fast start and the hint of a page opened plain, until the visitor's first action.
    pub intro: Intro,
    /// While the simulation cannot keep up with the chosen speed: the speed it does reach.
    pub behind: Option<f64>,
    /// Measures how far the simulation keeps up with the chosen speed (see `behind`).
    lag: Rc<LagMeter>,
    /// Wall time to simulate and how much the simulation may take per frame.
    pace: Rc<Pace>,
    /// The twin run shown side by side, if any (see [`crate::side_by_side`]).
    twin: Option<Twin>,
    /// What the "Side by side" panel shows of the two runs now.
    pub twin_view: Option<Snap<TwinView>>,
}

/// The run beside the visitor's: the same scenario with one parameter changed, moved with the
/// same clock and given the same actions.
#[derive(Clone)]
struct Twin {
    vs: Versus,
    lab: Rc<RefCell<Box<dyn Lab>>>,
}

/// The two runs' figures at one moment, for the "Side by side" panel.
#[derive(Clone, Debug, PartialEq)]
pub struct TwinView {
    /// The compared parameter.
    pub key: &'static str,
    /// Its value in the visitor's run now, as a link writes it.
    pub main_value_text: String,
    /// Its value in the twin.
    pub value_text: String,
    /// The moment both runs stand at.
    pub now: Micros,
    /// The visitor's run's figures (label, value).
    pub main: Vec<(String, String)>,
    /// The twin's, in the same order.
    pub twin: Vec<(String, String)>,
}

/// How the animation frames and the simulation share the main thread (see [`Store::advance`]).
#[derive(Debug)]
struct Pace {
    /// Wall milliseconds played by frames and not simulated yet.
    owed: Cell<f64>,
    /// Wall milliseconds the simulation may take after a frame: less while frames come late
    /// (the page is busy drawing), more while they are on time, within [`SIM_BUDGET_MS`].
    budget: Cell<f64>,
    /// The fast start reached the first leader (the next frame ends it).
    first_seen: Cell<bool>,
    /// Shortest wall time between two renders, in ms: [`MIN_RENDER_MS`] while frames are on
    /// time, longer while they come late (the page draws less often rather than stalling).
    render_ms: Cell<f64>,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            owed: Cell::new(0.0),
            budget: Cell::new(SIM_BUDGET_MS.1),
            first_seen: Cell::new(false),
            render_ms: Cell::new(MIN_RENDER_MS),
        }
    }
}

impl Pace {
    /// A frame came `wall_ms` after the previous one: that much is to be simulated, and the
    /// budget follows how late it was (frames are asked for about 33 ms apart).
    fn owe(&self, wall_ms: f64) {
        self.owed.set(self.owed.get() + wall_ms);
        let (lo, hi) = SIM_BUDGET_MS;
        let (b, r) = (self.budget.get(), self.render_ms.get());
        let (b, r) = if wall_ms > LATE_FRAME_MS {
            (b * 0.7, r * 1.25)
        } else if wall_ms < ON_TIME_FRAME_MS {
            (b + 0.5, r - 2.0)
        } else {
            (b, r)
        };
        self.budget.set(b.clamp(lo, hi));
        self.render_ms.set(r.clamp(MIN_RENDER_MS, MAX_RENDER_MS));
    }
}

/// Everything the visitor (or the clock) can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// An animation frame: wall milliseconds since the previous one.
    Tick(f64),
    /// Right after an animation frame: simulate the wall time it covered.
    Advance,
    /// Start or stop the clock.
    TogglePlay,
    /// Stop the clock.
    Pause,
    /// Process exactly one event (pauses).
    Step,
    /// Go back to the previous event's time (pauses).
    StepBack,
    /// Move to a virtual time.
    Seek(Micros),
    /// Jump to the start.
    SeekStart,
    /// Jump to the latest explored time.
    SeekEnd,
    /// Pick a speed from the ladder.
    SetSpeed(usize),
    /// One step up the speed ladder.
    Faster,
    /// One step down the speed ladder.
    Slower,
    /// Take an action in the run.
    Act(ActionKind),
    /// Show the run side by side with its twin where the compared parameter has this value (as
    /// a link writes it), or show one run (`None`).
    SetTwin(Option<String>),
    /// Open a node's or message's menu.
    OpenMenu(Menu),
    /// Close the open menu.
    CloseMenu,
    /// Show a node in the inspector.
    Select(Option<NodeId>),
    /// Open or close the keyboard help.
    ToggleHelp,
    /// Escape: close whatever overlay is open.
    Escape,
    /// Start a new run of this scenario (its actions are dropped).
    NewRun(Scenario),
    /// Open the Share panel with a fresh permalink.
    Share,
    /// The clipboard's answer.
    ShareResult(bool),
    /// Close the Share panel.
    CloseShare,
    /// Hide the URL problem notices and the import error.
    DismissNotices,
    /// Save the trace as a JSON Lines file (pauses; see [`super::trace_export`]).
    DownloadTrace,
    /// Save the sends and deliveries with their vector clocks as a ShiViz log (pauses).
    DownloadShiViz,
    /// Label the space-time diagram's events with this logical clock.
    SetClocks(ClockChoice),
    /// Tell the visitor something about what they just did (e.g. a refused setting).
    Report(String),
    /// The visitor's reduced-motion preference changed.
    SetReducedMotion(bool),
    /// Open (`Some`, with each node's side), update or close (`None`) the partition drawing.
    PartitionDraft(Option<Vec<u8>>),
    /// Move a node to the other side of the partition being drawn.
    PartitionToggle(NodeId),
    /// Replace the run with an exported trace (file name, text), or say why it cannot be read.
    ImportTrace {
        /// The file's name.
        name: String,
        /// The file's text.
        text: String,
    },
    /// Open the Share box with an `<iframe>` snippet for this run.
    EmbedCode,
    /// The app became visible (true) or hidden / scrolled out of view (false).
    Visible(bool),
    /// A command posted by the host page (see [`super::embed`]).
    Api(crate::sim::json_read::Value),
}

impl Msg {
    /// Whether the visitor (or the host page of an embed) did this, rather than the clock or
    /// the browser: the first such message ends the fast start and the hint.
    fn is_visitors(&self) -> bool {
        !matches!(
            self,
            Msg::Tick(_)
                | Msg::Advance
                | Msg::Visible(_)
                | Msg::SetReducedMotion(_)
                | Msg::ShareResult(_)
        )
    }

    /// Whether this changes how fast virtual time should run (a new measure of keeping up
    /// starts, see [`Store::behind`]).
    fn changes_pace(&self) -> bool {
        matches!(
            self,
            Msg::TogglePlay
                | Msg::Pause
                | Msg::SetSpeed(_)
                | Msg::Faster
                | Msg::Slower
                | Msg::Seek(_)
                | Msg::SeekStart
                | Msg::SeekEnd
                | Msg::NewRun(_)
                | Msg::ImportTrace { .. }
                | Msg::Visible(_)
                | Msg::Api(_)
        )
    }
}

impl Store {
    /// The store for the page's current URL: reads the scenario, starts it and replays it.
    pub fn from_location() -> Store {
        let page = url::split(&dom::location_query());
        let (scenario, problems) = Scenario::from_query(&page.scenario_query);
        let mut notices = page.notices.clone();
        notices.extend(problems);
        // A link that cannot start is retried without its actions, then with the defaults.
        let mut bare = scenario.clone();
        bare.actions.clear();
        let mut fallback = Scenario::defaults(&scenario.protocol);
        fallback.seed = scenario.seed;
        let mut lab = match protocols::create(&scenario) {
            Ok(lab) => lab,
            Err(e) => match protocols::create(&bare) {
                Ok(lab) => {
                    notices.push(format!(
                        "This link's actions cannot be replayed ({e}); showing the run without them."
                    ));
                    lab
                }
                Err(e) => {
                    notices.push(format!(
                        "This link's run cannot start ({e}); showing the default run instead."
                    ));
                    match protocols::create(&fallback) {
                        Ok(lab) => lab,
                        Err(e) => panic!("the default scenario does not start: {e}"),
                    }
                }
            },
        };
        let last_action = lab.actions().last().map(|a| a.t);
        // Simulate up to the link's moment within the replay budget, so that no link can
        // freeze the page; a moment beyond it opens where the budget ran out, and says so.
        let open_at = page.at.or(last_action).map(|t| {
            if crate::import::advance_bounded(lab.as_mut(), t) {
                t
            } else {
                notices.push(format!("{}.", crate::import::budget_sentence(lab.now())));
                lab.now()
            }
        });
        let vs = page.vs.as_deref().and_then(|text| {
            Versus::parse(text, lab.info())
                .map_err(|e| notices.push(format!("{e}.")))
                .ok()
        });
        let mut store = Store::with_lab(lab, page.embed, Snap::new(notices));
        store.debug_panic = page.debug_panic;
        store.clocks = page.clocks;
        store.set_twin(vs);
        store.intro = Intro::new(open_at.is_none(), page.embed);
        if store.intro.fast_start && store.reduced_motion {
            store.skip_fast_start();
        }
        // The lab already stands at the link's moment (reached within the budget above).
        if open_at.is_some() {
            store.playing = false;
            store.refresh(true);
            store.clock = (store.frame.now, store.frame.horizon);
            store.trace_seen = store.lab.borrow().trace_len();
        }
        store.sync_url();
        store
    }

    fn with_lab(lab: Box<dyn Lab>, embed: bool, notices: Snap<Vec<String>>) -> Store {
        let info = lab.info().clone();
        let mut scenario = lab.scenario();
        scenario.actions.clear();
        let frame = Rc::new(
            snapshot(
                lab.as_ref(),
                None,
                Reuse::Nothing,
                SPEEDS[DEFAULT_SPEED],
                &SortedMap::new(),
            )
            .0,
        );
        Store {
            lab: Rc::new(RefCell::new(lab)),
            info: Snap::new(info),
            scenario: Snap::new(scenario),
            protocols: Snap::new(protocols::list()),
            frame,
            playing: true,
            speed: DEFAULT_SPEED,
            carry: Rc::new(Cell::new(0.0)),
            unrendered: Rc::new(Cell::new(0.0)),
            clock: (0, 0),
            clock_age: Rc::new(Cell::new(0.0)),
            nodes_age: Rc::new(Cell::new(0.0)),
            summary_age: Rc::new(Cell::new(0.0)),
            selected: None,
            menu: None,
            resume_after_menu: false,
            help: false,
            notices,
            status: None,
            announce: String::new(),
            recent: Snap::new(Vec::new()),
            trace_seen: 0,
            embed,
            reduced_motion: dom::media_matches("(prefers-reduced-motion: reduce)"),
            clocks: ClockChoice::None,
            share: None,
            lost_frac: Rc::new(SortedMap::new()),
            run: 0,
            debug_panic: false,
            prev_selected: None,
            milestones: Snap::new(Default::default()),
            partition: None,
            import_error: None,
            auto_paused: false,
            intro: Intro::default(),
            behind: None,
            lag: Rc::new(LagMeter::default()),
            pace: Rc::new(Pace::default()),
            twin: None,
            twin_view: None,
        }
    }

    /// The reduced-motion fast start: opens the run at its first leader (no fast animation).
    fn skip_fast_start(&mut self) {
        intro::skip_to_first(self.lab.borrow_mut().as_mut());
        self.intro.fast_start = false;
        self.refresh(true);
        self.clock = (self.frame.now, self.frame.horizon);
    }

    /// Virtual seconds per wall second now (the chosen speed, or the fast start's).
    pub fn play_speed(&self) -> f64 {
        self.intro.speed(SPEEDS[self.speed])
    }

    /// Replaces the run with `lab` (an imported trace or a loaded link), advanced to `open_at`
    /// if given, playing or paused.
    pub fn replace_lab(&mut self, lab: Box<dyn Lab>, open_at: Option<Micros>, play: bool) {
        let mut next = Store::with_lab(lab, self.embed, self.notices.clone());
        next.speed = self.speed;
        next.clocks = self.clocks;
        next.run = self.run + 1;
        if let Some(t) = open_at {
            next.lab.borrow_mut().advance_to(t);
        }
        next.playing = play;
        next.refresh(true);
        next.clock = (next.frame.now, next.frame.horizon);
        next.trace_seen = next.lab.borrow().trace_len();
        *self = next;
        self.sync_url();
    }

    /// The permalink's query for the current moment (`at` = now).
    pub fn permalink_query(&self, with_time: bool) -> String {
        let lab = self.lab.borrow();
        let at = with_time.then(|| lab.now());
        let mut query = url::permalink_query(&lab.scenario(), at, self.embed);
        if let Some(t) = &self.twin {
            query.push_str(&format!("&vs={}", t.vs.to_link(&self.info)));
        }
        if self.clocks != ClockChoice::None {
            query.push_str("&clocks=");
            query.push_str(self.clocks.key());
        }
        query
    }

    /// Puts the run into the address bar: the scenario with its actions, plus `at` while paused.
    fn sync_url(&self) {
        dom::replace_query(&self.permalink_query(!self.playing));
    }

    /// Takes a new frame from the lab; `force` re-reads everything (after seeks and actions).
    fn refresh(&mut self, force: bool) {
        self.refresh_with(if force {
            Reuse::Nothing
        } else {
            Reuse::Unchanged
        });
    }

    /// Takes a new frame from the lab, reusing what `reuse` allows.
    fn refresh_with(&mut self, reuse: Reuse) {
        let (frame, lost_frac) = {
            let lab = self.lab.borrow();
            let (mut frame, lost_frac) = snapshot(
                lab.as_ref(),
                Some(&self.frame),
                reuse,
                self.play_speed(),
                &self.lost_frac,
            );
            let old = &self.frame;
            // Keep the old Rc wherever nothing changed, so those views skip rendering.
            if *frame.invariants == *old.invariants {
                frame.invariants = old.invariants.clone();
            }
            if *frame.network == *old.network {
                frame.network = old.network.clone();
            }
            if *frame.lost == *old.lost {
                frame.lost = old.lost.clone();
            }
            let now = reuse == Reuse::Nothing || !self.playing;
            super::summary::refresh(lab.as_ref(), &mut frame, old, &self.summary_age, now);
            (frame, lost_frac)
        };
        self.lost_frac = Rc::new(lost_frac);
        self.prev_selected = super::inspector::previous(
            self.selected,
            &self.frame,
            &frame,
            self.prev_selected.take(),
        );
        self.frame = Rc::new(frame);
        self.scan_headlines();
        self.milestones = super::timeline::track(&self.milestones, self.lab.borrow().as_ref());
        self.sync_twin();
    }

    /// The twin run, if one is shown side by side: views that show each run (the history
    /// view) draw it too.
    pub fn twin_lab(&self) -> Option<Rc<RefCell<Box<dyn Lab>>>> {
        self.twin.as_ref().map(|t| t.lab.clone())
    }

    /// Brings the twin to the visitor's moment (forward within the replay budget, or back) and
    /// reads both runs' figures.
    fn sync_twin(&mut self) {
        let Some(twin) = &self.twin else {
            self.twin_view = None;
            return;
        };
        let lab = self.lab.borrow();
        let now = lab.now();
        let mut other = twin.lab.borrow_mut();
        if other.now() > now {
            other.seek(now);
        } else if other.now() < now {
            crate::import::advance_bounded(other.as_mut(), now);
        }
        let view = TwinView {
            key: twin.vs.key,
            main_value_text: side_by_side::value_now(lab.as_ref(), twin.vs.key),
            value_text: side_by_side::value_now(other.as_ref(), twin.vs.key),
            now: other.now(),
            main: side_by_side::figures(lab.as_ref()),
            twin: side_by_side::figures(other.as_ref()),
        };
        if self.twin_view.as_deref() != Some(&view) {
            self.twin_view = Some(Snap::new(view));
        }
    }

    /// Starts (or stops, with `None`) the twin of the visitor's run where the compared
    /// parameter is `vs`; a twin that cannot start is said, not shown.
    fn set_twin(&mut self, vs: Option<Versus>) {
        self.twin = None;
        if let Some(vs) = vs {
            let scenario = vs.twin_of(&self.lab.borrow().scenario());
            match protocols::create(&scenario) {
                Ok(lab) => {
                    self.twin = Some(Twin {
                        vs,
                        lab: Rc::new(RefCell::new(lab)),
                    })
                }
                Err(e) => self.status = Some(format!("The run side by side cannot start: {e}")),
            }
        }
        self.sync_twin();
    }

    /// Collects headlines from trace lines added since the last scan, for the live region.
    fn scan_headlines(&mut self) {
        let lab = self.lab.borrow();
        let len = lab.trace_len();
        if len < self.trace_seen {
            self.trace_seen = len;
            return;
        }
        if len == self.trace_seen {
            return;
        }
        let start = self.trace_seen.max(len.saturating_sub(400));
        let mut fresh = Vec::new();
        for i in start..len {
            let line = lab.trace_line(i);
            let text = match (line.headline, line.marker) {
                (Some(h), _) => h,
                (None, Some(Milestone::Action | Milestone::Chaos)) => line.text,
                _ => continue,
            };
            fresh.push(Headline {
                t: line.t,
                text,
                marker: line.marker,
            });
        }
        self.trace_seen = len;
        if fresh.is_empty() {
            return;
        }
        let tail: Vec<&str> = fresh
            .iter()
            .rev()
            .take(3)
            .rev()
            .map(|h| h.text.as_str())
            .collect();
        self.announce = tail.join(". ");
        let mut recent = (*self.recent).clone();
        recent.extend(fresh);
        let excess = recent.len().saturating_sub(RECENT);
        recent.drain(..excess);
        self.recent = Snap::new(recent);
    }

    fn violations(&self) -> usize {
        self.frame
            .invariants
            .iter()
            .filter(|i| i.violated.is_some())
            .count()
    }

    fn pause(&mut self) {
        if self.playing {
            self.playing = false;
            self.refresh(false);
            self.sync_url();
        }
    }

    fn seek(&mut self, t: Micros) {
        let t = t.min(self.frame.horizon.max(self.lab.borrow().horizon()));
        // Read the latest milestones before leaving the present (the lab shows none after now).
        self.milestones = super::timeline::track(&self.milestones, self.lab.borrow().as_ref());
        self.lab.borrow_mut().seek(t);
        self.carry.set(0.0);
        self.pace.owed.set(0.0);
        self.lost_frac = Rc::new(SortedMap::new());
        self.refresh(true);
        // A jump is not an event: nothing to mark as changed.
        self.prev_selected = None;
        if !self.playing {
            self.sync_url();
        }
    }

    fn new_run(&mut self, mut scenario: Scenario) {
        scenario.actions.clear();
        match protocols::create(&scenario) {
            Ok(lab) => {
                // The same comparison, where the new run's protocol has the parameter.
                let vs = (self.twin.as_ref())
                    .and_then(|t| Versus::parse(&t.vs.to_link(&self.info), lab.info()).ok());
                let mut next = Store::with_lab(lab, self.embed, self.notices.clone());
                next.set_twin(vs);
                next.speed = self.speed;
                next.run = self.run + 1;
                next.announce = format!(
                    "Started a new {} run with {} nodes, seed {}",
                    next.info.title, scenario.nodes, scenario.seed
                );
                next.frame = Rc::new(
                    snapshot(
                        next.lab.borrow().as_ref(),
                        None,
                        Reuse::Nothing,
                        SPEEDS[next.speed],
                        &SortedMap::new(),
                    )
                    .0,
                );
                *self = next;
                self.sync_url();
            }
            Err(e) => self.status = Some(format!("Cannot start that run: {e}")),
        }
    }
}

/// A click handler that sends `msg`. Every such button shares this one closure type, which keeps
/// the wasm small.
pub fn on_click(dispatch: &yew::Callback<Msg>, msg: Msg) -> yew::Callback<web_sys::MouseEvent> {
    dispatch.reform(move |_: web_sys::MouseEvent| msg.clone())
}

/// Recent headlines kept for the events list.
const RECENT: usize = 14;

/// Least and most wall time the simulation may take after an animation frame, in ms (see
/// [`Pace`]). A frame comes every 33 ms or so; this leaves time for the page to draw it. A run
/// too busy to keep up falls behind the chosen speed instead (and says so) rather than
/// stalling the page.
const SIM_BUDGET_MS: (f64, f64) = (2.0, 12.0);

/// A frame this long after the previous one (ms) was late: the simulation gets less time.
const LATE_FRAME_MS: f64 = 42.0;

/// A frame this soon after the previous one (ms) was on time: the simulation gets more time.
const ON_TIME_FRAME_MS: f64 = 37.0;

/// Shortest wall time between two renders while playing, in ms: about 30 renders a second.
/// (A little under two 60 Hz frames, so that every other frame renders.)
const MIN_RENDER_MS: f64 = 25.0;

/// Longest wall time between two renders while playing, in ms, however busy the page (about
/// ten renders a second).
const MAX_RENDER_MS: f64 = 100.0;

/// How a frame may reuse the previous one's views.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reuse {
    /// Read everything again (after seeks, steps and actions).
    Nothing,
    /// Reuse whatever no event changed.
    Unchanged,
    /// Also keep node states a little stale (the clock moves fast: nodes are re-read at most
    /// about 30 times a second, messages every frame).
    Nodes,
}

/// Reads a frame from the lab, reusing the previous frame's views as `reuse` allows.
fn snapshot(
    lab: &dyn Lab,
    prev: Option<&Rc<Frame>>,
    reuse: Reuse,
    speed: f64,
    lost_frac: &SortedMap<u64, f64>,
) -> (Frame, SortedMap<u64, f64>) {
    let now = lab.now();
    let events = lab.events();
    let actions = lab.actions().len();
    let last = prev;
    let prev = prev.filter(|p| reuse != Reuse::Nothing && p.actions == actions && p.now <= now);
    let (flights, labels) = match prev {
        Some(p) if p.events == events => (p.flights.clone(), p.labels.clone()),
        _ => {
            let flights = lab.in_flight();
            // Keep the labels of messages already on the wire (both lists are ordered by id).
            let old = last.map(|p| (p.flights.clone(), p.labels.clone()));
            let mut j = 0;
            let labels = flights
                .iter()
                .map(|f| {
                    if let Some((of, ol)) = &old {
                        while j < of.len() && of[j].id < f.id {
                            j += 1;
                        }
                        if j < of.len() && of[j].id == f.id {
                            return ol[j].clone();
                        }
                    }
                    FlightLabel::new(f)
                })
                .collect();
            (Snap::new(flights), Snap::new(labels))
        }
    };
    let (nodes, nodes_events, summary, invariants, network) = match prev {
        Some(p) if p.nodes_events == events || reuse == Reuse::Nodes => (
            p.nodes.clone(),
            p.nodes_events,
            p.summary.clone(),
            p.invariants.clone(),
            p.network.clone(),
        ),
        _ => {
            let old = prev.map(|p| p.nodes.clone());
            let fresh = lab
                .nodes()
                .into_iter()
                .enumerate()
                .map(|(i, n)| match old.as_ref().and_then(|o| o.get(i)) {
                    Some(o) if **o == n => o.clone(),
                    _ => Snap::new(n),
                })
                .collect();
            // While playing, the summary is read on its own, slower schedule (`summary::refresh`).
            let summary = prev.map_or_else(|| Snap::new(lab.summary()), |p| p.summary.clone());
            (
                Snap::new(fresh),
                events,
                summary,
                Snap::new(lab.invariants()),
                Snap::new(lab.network()),
            )
        }
    };
    // A lost mark stays for about 1.2 s of wall time (at least 2 ms of virtual time).
    let lost_window = ((speed * 1.2e6) as Micros).max(2 * MS);
    let since = now.saturating_sub(lost_window);
    // Only the drops since the previous frame are read (a fast run has hundreds of thousands of
    // trace lines in the window); the previous frame's marks are kept while in the window.
    // Drops at exactly the previous frame's time are read again (more events may have happened
    // at that time since), so only older marks are kept from it.
    let (scan_from, kept) = match prev {
        Some(p) if p.now > since => (p.now - 1, Some((p, p.now))),
        _ => (since, None),
    };
    let mut fracs = SortedMap::new();
    let mut lost = Vec::new();
    for (f, reason) in lab.recent_drops(scan_from) {
        let frac = lost_frac.get(&f.id).copied().unwrap_or_else(|| {
            last.and_then(|p| {
                let i = p.flights.binary_search_by_key(&f.id, |g| g.id).ok()?;
                let g = &p.flights[i];
                Some(flight_frac(f.sent, g.sent, g.arrives, false))
            })
            .unwrap_or(0.5)
        });
        fracs.insert(f.id, frac);
        lost.push(LostMark {
            id: f.id,
            from: f.from,
            to: f.to,
            kind: f.msg.kind,
            reason,
            at: f.sent,
            frac,
        });
    }
    if let Some((p, before)) = kept {
        for m in p.lost.iter().filter(|m| m.at > since && m.at < before) {
            fracs.insert(m.id, m.frac);
            lost.push(m.clone());
        }
    }
    // About a pixel: 1/300 of the shortest flight or countdown on screen.
    let spans = flights
        .iter()
        .map(|f| f.arrives.saturating_sub(f.sent))
        .chain(
            nodes
                .iter()
                .filter(|n| n.up)
                .filter_map(|n| n.countdown.map(|(a, b)| b.saturating_sub(a))),
        )
        .chain((!lost.is_empty()).then_some(lost_window));
    let still = spans.min().map_or(Micros::MAX, |m| (m / 300).max(1));
    let frame = Frame {
        still,
        now,
        horizon: lab.horizon(),
        events,
        actions,
        nodes,
        nodes_events,
        summary,
        summary_events: prev.map_or(events, |p| p.summary_events),
        diagram: prev.map_or_else(|| Snap::new(lab.diagram()), |p| p.diagram.clone()),
        setup: match prev {
            Some(p) if *p.setup == *lab.setup() => p.setup.clone(),
            _ => Snap::new(lab.setup().clone()),
        },
        flights,
        labels,
        lost: Snap::new(lost),
        lost_window,
        invariants,
        network,
        chaos: lab.chaos(),
        peers: lab.setup().nodes,
        layout: Layout::for_run(lab.info(), lab.setup()),
    };
    (frame, fracs)
}

impl Store {
    /// Right after an animation frame: runs the simulation for the wall time that frame
    /// covered at the current speed, within [`Pace::budget`]. Changes only the lab and cells,
    /// never the store itself, so it renders nothing (the next frame does).
    fn advance(self: Rc<Self>) -> Rc<Self> {
        if !self.playing || super::panic::panicked() {
            return self;
        }
        let pace = &self.pace;
        let wall = pace.owed.replace(0.0);
        let dt = wall * 1000.0 * self.play_speed() + self.carry.get();
        let whole = dt.floor();
        self.carry.set(dt - whole);
        if whole < 1.0 {
            self.lag.record(wall, 0.0, 0.0);
            return self;
        }
        let mut lab = self.lab.borrow_mut();
        let start = lab.now();
        let target = start + whole as Micros;
        if self.intro.fast_start {
            // The fast start stops right after the first leader; the teaching speed starts there.
            if intro::advance_until_first(lab.as_mut(), target) {
                pace.first_seen.set(true);
                self.carry.set(0.0);
            }
        } else {
            if !advance_within(lab.as_mut(), target, pace.budget.get()) {
                // Out of time: virtual time lags instead of the page stalling.
                self.carry.set(0.0);
            }
            self.lag
                .record(wall, (target - start) as f64, (lab.now() - start) as f64);
        }
        drop(lab);
        self
    }

    /// An animation frame `wall_ms` after the previous one: renders when something visibly
    /// changed, and leaves that much wall time for [`Store::advance`] to simulate right after
    /// the frame (a frame never does both: each stays short).
    fn tick(self: Rc<Self>, wall_ms: f64) -> Rc<Self> {
        if !self.playing || super::panic::panicked() {
            return self;
        }
        let wall = wall_ms.clamp(0.0, 100.0);
        self.pace.owe(wall);
        let first_leader = self.intro.fast_start && self.pace.first_seen.get();
        // Render at most about thirty times a second (every other frame of a 60 Hz screen: the
        // motion stays smooth and the page's work halves), and only when something visibly
        // changed: an event happened, something moved by about a pixel, or a tenth of a second
        // passed (for the clock). Only a frame that renders copies the store.
        let since = self.unrendered.get() + wall;
        let (now, events, actions) = {
            let lab = self.lab.borrow();
            (lab.now(), lab.events(), lab.actions().len())
        };
        let f = &self.frame;
        let changed = events != f.events
            || actions != f.actions
            || since >= 100.0
            || now.saturating_sub(f.now) >= f.still;
        let behind = self.lag.behind(self.play_speed());
        let min_render = self.pace.render_ms.get();
        if !first_leader && behind == self.behind && (since < min_render || !changed) {
            self.unrendered.set(since);
            return self;
        }
        let mut s = (*self).clone();
        s.unrendered.set(0.0);
        s.behind = behind;
        if first_leader {
            s.intro.fast_start = false;
        }
        let age = s.clock_age.get() + since;
        if age >= 100.0 {
            s.clock_age.set(0.0);
            s.clock = (now, s.lab.borrow().horizon());
        } else {
            s.clock_age.set(age);
        }
        let nodes_age = s.nodes_age.get() + since;
        // Node states redraw the ring's nodes, the logs and the inspector: while the page is
        // busy (renders spaced out), they are read every other render.
        let reuse = if nodes_age < 33f64.max(1.5 * min_render) {
            s.nodes_age.set(nodes_age);
            Reuse::Nodes
        } else {
            s.nodes_age.set(0.0);
            Reuse::Unchanged
        };
        s.summary_age.set(s.summary_age.get() + since);
        let before = s.violations();
        s.refresh_with(reuse);
        if s.violations() > before {
            // Stop on a new violation so the visitor sees the moment it happened.
            s.playing = false;
            s.sync_url();
        }
        Rc::new(s)
    }
}

impl Reducible for Store {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        if let Msg::Tick(wall_ms) = msg {
            return self.tick(wall_ms);
        }
        if let Msg::Advance = msg {
            return self.advance();
        }
        let mut s = (*self).clone();
        // A new thing done replaces the last remark about the previous one.
        s.status = None;
        if msg.is_visitors() {
            s.intro.end();
        }
        if msg.changes_pace() {
            s.lag.reset();
            s.behind = None;
        }
        match msg {
            Msg::Api(cmd) => {
                // The host page took over (the intro ends, see above).
                let this = if self.intro == s.intro {
                    self
                } else {
                    let mut this = (*self).clone();
                    this.intro = s.intro;
                    Rc::new(this)
                };
                return super::embed::command(this, &cmd);
            }
            Msg::Tick(_) | Msg::Advance => unreachable!("handled above"),
            Msg::TogglePlay => {
                s.playing = !s.playing;
                s.auto_paused = false;
                s.menu = None;
                s.resume_after_menu = false;
                s.carry.set(0.0);
                s.pace.owed.set(0.0);
                if !s.playing {
                    // Show exactly where it stopped (nodes and the summary lag a little in play).
                    s.refresh(false);
                }
                s.sync_url();
            }
            Msg::Pause => {
                if !s.playing {
                    return self;
                }
                s.pause();
            }
            Msg::Step => {
                s.playing = false;
                let stepped = s.lab.borrow_mut().step();
                s.status =
                    (!stepped).then(|| "Nothing is scheduled: no event to step to.".to_string());
                s.refresh(true);
                s.sync_url();
            }
            Msg::StepBack => {
                s.playing = false;
                let target = {
                    let lab = s.lab.borrow();
                    let now = lab.now();
                    let len = lab.trace_len();
                    (len.saturating_sub(5_000)..len)
                        .rev()
                        .map(|i| lab.trace_line(i).t)
                        .find(|&t| t < now)
                        .unwrap_or(0)
                };
                s.seek(target);
                s.sync_url();
            }
            Msg::Seek(t) => s.seek(t),
            Msg::SeekStart => s.seek(0),
            Msg::SeekEnd => {
                let end = s.lab.borrow().horizon();
                s.seek(end);
            }
            Msg::SetSpeed(i) => {
                s.speed = i.min(SPEEDS.len() - 1);
                s.refresh(false);
            }
            Msg::Faster => {
                if s.speed + 1 >= SPEEDS.len() {
                    return self;
                }
                s.speed += 1;
            }
            Msg::Slower => {
                if s.speed == 0 {
                    return self;
                }
                s.speed -= 1;
            }
            Msg::Act(kind) => {
                let what = match &kind {
                    ActionKind::SetParam { node, key, value } => {
                        s.info.describe_change(*node, key, *value)
                    }
                    other => other.describe(),
                };
                let mirrored =
                    (s.twin.as_ref()).and_then(|t| t.vs.mirrors(&kind).then(|| kind.clone()));
                let result = s.lab.borrow_mut().act(kind);
                match result {
                    Ok(()) => {
                        if let (Some(twin), Some(kind)) = (&s.twin, mirrored) {
                            // The twin gets it at the same moment (a past one forks it too).
                            let now = s.lab.borrow().now();
                            let mut other = twin.lab.borrow_mut();
                            other.seek(now);
                            let _ = other.act(kind);
                        }
                        s.status = None;
                        s.refresh(true);
                        s.announce = format!("{what} at {}", format_time(s.frame.now));
                        if s.resume_after_menu {
                            s.playing = true;
                        }
                    }
                    Err(e) => s.status = Some(format!("{what}: not possible now — {e}")),
                }
                s.menu = None;
                s.resume_after_menu = false;
                s.sync_url();
            }
            Msg::OpenMenu(menu) => {
                if let Menu::Node(id) = menu {
                    s.selected = Some(id);
                }
                if let Menu::Message(_) = menu
                    && s.playing
                {
                    // Hold the message still while the visitor decides.
                    s.playing = false;
                    s.resume_after_menu = true;
                }
                s.menu = Some(menu);
                s.help = false;
            }
            Msg::CloseMenu => {
                if s.menu.is_none() {
                    return self;
                }
                s.menu = None;
                if s.resume_after_menu {
                    s.playing = true;
                    s.resume_after_menu = false;
                }
            }
            Msg::Select(id) => {
                if s.selected != id {
                    s.prev_selected = None;
                }
                s.selected = id;
            }
            Msg::ToggleHelp => {
                s.help = !s.help;
                s.menu = None;
            }
            Msg::Escape => {
                if s.menu.is_some() {
                    return Store::reduce(self, Msg::CloseMenu);
                }
                if !s.help && s.share.is_none() {
                    return self;
                }
                s.help = false;
                s.share = None;
            }
            Msg::NewRun(scenario) => s.new_run(scenario),
            Msg::SetTwin(value) => {
                let vs = value.and_then(|v| {
                    let key = s.twin.as_ref().map(|t| t.vs.key).or(s.info.compare.sweep)?;
                    match Versus::parse(&format!("{key}:{v}"), &s.info) {
                        Ok(vs) => Some(vs),
                        Err(e) => {
                            s.status = Some(e);
                            None
                        }
                    }
                });
                s.set_twin(vs);
                s.sync_url();
            }
            Msg::Share => {
                let link = super::share::full_page_link(&s, true);
                s.share = Some(ShareState {
                    link,
                    copied: None,
                    code: false,
                });
            }
            Msg::EmbedCode => {
                let link = super::share::embed_snippet(&s);
                s.share = Some(ShareState {
                    link,
                    copied: None,
                    code: true,
                });
            }
            Msg::PartitionDraft(draft) => s.partition = draft,
            Msg::PartitionToggle(id) => {
                let Some(side) = s
                    .partition
                    .as_mut()
                    .and_then(|d| d.get_mut((id as usize).wrapping_sub(1)))
                else {
                    return self;
                };
                *side = u8::from(*side == 0);
            }
            Msg::ImportTrace { name, text } => match crate::import::import_trace(&text) {
                Ok(lab) => {
                    let events = lab.events();
                    s.replace_lab(lab, None, false);
                    let said = format!("Imported {events} events from {name}.");
                    s.announce = said.clone();
                    s.status = Some(said);
                }
                Err(e) => s.import_error = Some(format!("{name} was not imported. {e}")),
            },
            Msg::Visible(visible) => {
                if !visible && s.playing {
                    s.auto_paused = true;
                    s.pause();
                } else if visible && s.auto_paused {
                    s.auto_paused = false;
                    s.playing = true;
                    s.carry.set(0.0);
                    s.pace.owed.set(0.0);
                    s.sync_url();
                } else {
                    return self;
                }
            }
            Msg::ShareResult(ok) => {
                let Some(share) = &mut s.share else {
                    return self;
                };
                // The share box's own status line (a live region) says how it went.
                share.copied = Some(ok);
            }
            Msg::CloseShare => s.share = None,
            Msg::DismissNotices => {
                s.notices = Snap::new(Vec::new());
                s.import_error = None;
            }
            Msg::Report(text) => {
                s.announce = text.clone();
                s.status = Some(text);
            }
            Msg::SetReducedMotion(on) => {
                if s.reduced_motion == on {
                    return self;
                }
                s.reduced_motion = on;
                if on && s.intro.fast_start {
                    s.skip_fast_start();
                }
            }
            Msg::DownloadTrace => {
                // The file holds the run up to the moment shown: hold it there while it is built.
                s.pause();
                super::trace_export::start(s.lab.clone(), Export::Trace);
            }
            Msg::DownloadShiViz => {
                s.pause();
                super::trace_export::start(s.lab.clone(), Export::ShiViz);
            }
            Msg::SetClocks(clocks) => {
                s.clocks = clocks;
                s.sync_url();
            }
        }
        s.clock = (s.frame.now, s.frame.horizon);
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn late_frames_shrink_the_simulation_budget_and_space_renders_out() {
        let pace = Pace::default();
        assert_eq!(pace.budget.get(), SIM_BUDGET_MS.1);
        for _ in 0..20 {
            pace.owe(80.0);
        }
        assert_eq!(pace.budget.get(), SIM_BUDGET_MS.0);
        assert_eq!(pace.render_ms.get(), MAX_RENDER_MS);
        assert!(
            (pace.owed.get() - 1600.0).abs() < 1e-9,
            "late time is still owed"
        );
        for _ in 0..60 {
            pace.owe(33.3);
        }
        assert_eq!(pace.budget.get(), SIM_BUDGET_MS.1);
        assert_eq!(pace.render_ms.get(), MIN_RENDER_MS);
    }
}
