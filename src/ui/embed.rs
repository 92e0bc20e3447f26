//! The page's life inside another page: the `postMessage` API a host page uses to drive an
//! embedded QuorumScope (commands in, acknowledgements and events out; see the README's
//! "Embedding" section), and the automatic pause while the page is hidden or scrolled out of
//! view.
//!
//! Only messages whose `event.source` is this window's parent are read, and only well-formed
//! commands are acted on: anything else is ignored with a `console.warn`. Events go to the
//! parent only (never to other frames), tagged with the `id` the embed was given in its URL, so
//! several embeds on one page never interfere.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::{Callback, Reducible};

use crate::embed_api::{self, EmbedCommand, NodeRef, SOURCE};
use crate::import::{advance_bounded, budget_sentence};
use crate::protocols;
use crate::scenario::Scenario;
use crate::sim::action::ActionKind;
use crate::sim::json_read::{self, Value, object, thousandths};
use crate::sim::node::NodeId;
use crate::sim::time::Micros;

use super::geometry::SPEEDS;
use super::live::set_param;
use super::store::{Msg, Store};
use super::{dom, node_glyph, url};

/// Shortest wall time between two `time` events, in milliseconds (about four a second).
const TIME_EVERY_MS: f64 = 250.0;

/// What was last told to the host page.
#[derive(Default)]
struct Told {
    /// Whether `ready` was posted.
    ready: bool,
    /// The run the rest refers to (see [`Store::run`]).
    run: u64,
    /// The leader and its epoch.
    leader: Option<(NodeId, u64)>,
    /// Committed entries per node.
    committed: Vec<u64>,
    /// Invariants reported broken.
    violated: Vec<&'static str>,
    /// Time and play state of the last `time` event.
    time: Option<(Micros, bool)>,
    /// Wall clock (ms) of the last `time` event.
    time_wall: f64,
}

thread_local! {
    static EMBED_ID: RefCell<Option<String>> = const { RefCell::new(None) };
    static FRAMED: Cell<bool> = const { Cell::new(false) };
    static TOLD: RefCell<Told> = RefCell::new(Told::default());
}

/// Reads the page's embed id (`id=…`) and whether it runs in a frame. Call once before the
/// first render: the page rewrites its URL as soon as it starts.
pub fn init() {
    let id = url::split(&dom::location_query()).embed_id;
    EMBED_ID.with(|e| *e.borrow_mut() = id);
    let win = dom::window();
    let framed = parent().is_some_and(|p| !js_sys::Object::is(p.as_ref(), win.as_ref()));
    FRAMED.with(|f| f.set(framed));
}

/// The name this embedded page was given in its URL (`id=…`), if any.
pub fn embed_id() -> Option<String> {
    EMBED_ID.with(|e| e.borrow().clone())
}

fn parent() -> Option<web_sys::Window> {
    dom::window().parent().ok().flatten()
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("QuorumScope: {text}")));
}

/// Posts `fields` (an object) to the parent window in the API's envelope (only when framed).
fn post(kind: &str, mut fields: Value) {
    if !FRAMED.with(Cell::get) {
        return;
    }
    fields.insert("source", SOURCE.into());
    fields.insert("type", kind.into());
    if let Some(id) = embed_id() {
        fields.insert("embedId", id.into());
    }
    let text = fields.to_json();
    if let (Some(p), Ok(data)) = (parent(), js_sys::JSON::parse(&text)) {
        // Events say nothing secret, and the host's origin is not known: any origin may read.
        let _ = p.post_message(&data, "*");
    }
}

/// Posts an event named `event` with `fields` (an object).
fn event(event: &str, mut fields: Value) {
    fields.insert("event", event.into());
    post("event", fields);
}

/// Listeners that live as long as the app: the API's message listener and the auto-pause
/// watchers. Dropping it removes them.
pub struct Embedding {
    _message: EventListener,
    _visibility: EventListener,
    observer: Option<web_sys::IntersectionObserver>,
    _on_intersect: Option<Closure<dyn FnMut(js_sys::Array)>>,
}

impl Drop for Embedding {
    fn drop(&mut self) {
        if let Some(o) = &self.observer {
            o.disconnect();
        }
    }
}

/// Acts on one message from the window: a well-formed command from the parent page is sent to
/// the store; anything else is ignored with a console warning.
fn receive(e: &web_sys::MessageEvent, dispatch: &Callback<Msg>) {
    let from_parent = match (e.source(), parent()) {
        (Some(src), Some(p)) => js_sys::Object::is(&src, p.as_ref()),
        _ => false,
    };
    if !from_parent {
        warn("ignored a message that did not come from the parent page.");
        return;
    }
    match parse(&e.data()) {
        Ok(cmd) => dispatch.emit(Msg::Api(cmd)),
        Err(why) => warn(&why),
    }
}

/// The messages the loader kept while the app was starting (`window.quorumscopeEarly()`), if
/// it kept any; it stops keeping them.
fn early_messages() -> Vec<web_sys::MessageEvent> {
    let window = dom::window();
    let Ok(take) = js_sys::Reflect::get(&window, &JsValue::from_str("quorumscopeEarly")) else {
        return Vec::new();
    };
    let Some(take) = take.dyn_ref::<js_sys::Function>() else {
        return Vec::new();
    };
    let Ok(list) = take.call0(&window) else {
        return Vec::new();
    };
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|m| m.dyn_into::<web_sys::MessageEvent>().ok())
        .collect()
}

/// Starts listening for commands from the parent window, and pauses the run while the page is
/// hidden (`visibilitychange`) or the app is scrolled out of view (`IntersectionObserver`),
/// resuming only a run that was playing.
pub fn install(dispatch: Callback<Msg>) -> Embedding {
    let message = {
        let dispatch = dispatch.clone();
        EventListener::new(&dom::window(), "message", move |e| {
            if let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() {
                receive(e, &dispatch);
            }
        })
    };
    // Commands posted before the app started were kept by the loader (www/boot.js): carry them
    // out now, in order. (Nothing can arrive in between: this runs in one task.)
    for e in early_messages() {
        receive(&e, &dispatch);
    }

    // Visible = page shown and app on screen; tell the store only about changes.
    let hidden = Rc::new(Cell::new(dom::document().hidden()));
    let offscreen = Rc::new(Cell::new(false));
    let shown = Rc::new(Cell::new(true));
    let update = {
        let (hidden, offscreen, shown) = (hidden.clone(), offscreen.clone(), shown.clone());
        move || {
            let visible = !hidden.get() && !offscreen.get();
            if shown.replace(visible) != visible {
                dispatch.emit(Msg::Visible(visible));
            }
        }
    };
    update();
    let visibility = {
        let update = update.clone();
        EventListener::new(&dom::document(), "visibilitychange", move |_| {
            hidden.set(dom::document().hidden());
            update();
        })
    };
    let on_intersect = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Some(last) = entries.iter().last()
            && let Ok(entry) = last.dyn_into::<web_sys::IntersectionObserverEntry>()
        {
            offscreen.set(!entry.is_intersecting());
            update();
        }
    });
    let observer = web_sys::IntersectionObserver::new(on_intersect.as_ref().unchecked_ref()).ok();
    if let (Some(o), Some(root)) = (&observer, dom::document().get_element_by_id("app")) {
        o.observe(&root);
    }
    Embedding {
        _message: message,
        _visibility: visibility,
        observer,
        _on_intersect: Some(on_intersect),
    }
}

/// Checks a posted message's envelope: `{source: "quorumscope", type: "command", command: "…"}`.
fn parse(data: &JsValue) -> Result<Value, String> {
    let text = js_sys::JSON::stringify(data)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or("ignored a message that is not JSON data.")?;
    let v = json_read::parse(&text).map_err(|_| "ignored a message that is not JSON data.")?;
    embed_api::check_envelope(&v)?;
    Ok(v)
}

/// Carries out a command from the host page (called by the store's reducer) and answers with an
/// `ack` or an `error`.
pub fn command(store: Rc<Store>, cmd: &Value) -> Rc<Store> {
    let name = cmd.get("command").and_then(Value::as_str).unwrap_or("");
    let mut reply = object([("command", name.into())]);
    if let Some(id) = cmd.get("id") {
        reply.insert("id", id.clone());
    }
    let (next, done) = match embed_api::parse_command(cmd, store.frame.nodes.len()) {
        Ok(typed) => run(store, typed),
        Err(e) => (store, Err(e)),
    };
    match done {
        Ok(()) => post("ack", reply),
        Err(e) => {
            warn(&format!("command '{name}' failed: {e}"));
            reply.insert("message", e.into());
            post("error", reply);
        }
    }
    next
}

/// The node a command names (`"leader"` for `restart`: the node crashed last).
fn node_arg(s: &Store, node: NodeRef, restart: bool) -> Result<NodeId, String> {
    match node {
        NodeRef::Id(id) => Ok(id),
        NodeRef::Leader if restart => {
            let lab = s.lab.borrow();
            lab.actions()
                .iter()
                .rev()
                .find_map(|a| match a.kind {
                    ActionKind::Crash { node } if !lab.is_up(node) => Some(node),
                    _ => None,
                })
                .ok_or_else(|| "no crashed node to restart".to_string())
        }
        NodeRef::Leader => leader(s).map(|(id, _)| id).ok_or_else(|| {
            format!(
                "there is no {} now",
                s.info.roles.last().unwrap_or(&"leader")
            )
        }),
    }
}

/// The running node with the most prominent role (the last of the protocol's roles) and the
/// highest epoch, if any.
fn leader(s: &Store) -> Option<(NodeId, u64)> {
    let top = *s.info.roles.last()?;
    if s.info.roles.len() < 2 {
        return None;
    }
    // The node the ring crowns, where several contend for the top role (Paxos proposers).
    let leading = node_glyph::leading_claim(s.frame.nodes.iter().map(|n| &**n));
    s.frame
        .nodes
        .iter()
        .filter(|n| n.view.role == top && node_glyph::crowned(n, &s.info, leading))
        .max_by_key(|n| n.view.epoch)
        .map(|n| (n.id, n.view.epoch))
}

/// Carries out a checked command: the next store, and whether it was done as asked.
fn run(s: Rc<Store>, cmd: EmbedCommand) -> (Rc<Store>, Result<(), String>) {
    let msg = match cmd {
        EmbedCommand::Play if s.playing => return (s, Ok(())),
        EmbedCommand::Play => Msg::TogglePlay,
        EmbedCommand::Pause => Msg::Pause,
        EmbedCommand::Step => Msg::Step,
        EmbedCommand::Seek { t } => {
            // Beyond the explored end, run the simulation forward first (within the budget).
            let horizon = s.lab.borrow().horizon();
            if t > horizon && !advance_bounded(s.lab.borrow_mut().as_mut(), t) {
                let reached = s.lab.borrow().now();
                let next = Store::reduce(s, Msg::Seek(reached));
                return (next, Err(budget_sentence(reached)));
            }
            Msg::Seek(t)
        }
        EmbedCommand::SetSpeed { speed: x } => {
            let i = (0..SPEEDS.len())
                .min_by(|&a, &b| {
                    // Nearest on a log scale: compare ratios, not differences.
                    let d = |i: usize| (SPEEDS[i] / x).max(x / SPEEDS[i]);
                    d(a).total_cmp(&d(b))
                })
                .unwrap_or(0);
            Msg::SetSpeed(i)
        }
        EmbedCommand::Crash(node) => match node_arg(&s, node, false) {
            Ok(node) => Msg::Act(ActionKind::Crash { node }),
            Err(e) => return (s, Err(e)),
        },
        EmbedCommand::Restart(node) => match node_arg(&s, node, true) {
            Ok(node) => Msg::Act(ActionKind::Restart { node }),
            Err(e) => return (s, Err(e)),
        },
        EmbedCommand::ClientRequest(node) => match node_arg(&s, node, false) {
            Ok(node) => Msg::Act(ActionKind::ClientRequest { node }),
            Err(e) => return (s, Err(e)),
        },
        EmbedCommand::DropNext { from, to } => {
            let next = s
                .lab
                .borrow()
                .in_flight()
                .into_iter()
                .filter(|f| f.from == from && f.to == to)
                .min_by_key(|f| (f.arrives, f.id))
                .map(|f| f.id);
            match next {
                Some(id) => Msg::Act(ActionKind::DropMessage { id }),
                None => {
                    let e = format!("no message from Node {from} to Node {to} is in flight");
                    return (s, Err(e));
                }
            }
        }
        EmbedCommand::Partition { sides } => Msg::Act(ActionKind::Partition { groups: sides }),
        EmbedCommand::Heal => Msg::Act(ActionKind::Heal),
        EmbedCommand::PauseNode { node, duration } => match node_arg(&s, node, false) {
            Ok(node) => Msg::Act(ActionKind::Pause { node, duration }),
            Err(e) => return (s, Err(e)),
        },
        EmbedCommand::CutOneWay { from, to } => Msg::Act(ActionKind::CutOneWay { from, to }),
        EmbedCommand::SlowLink { from, to, latency } => {
            Msg::Act(ActionKind::LinkLatency { from, to, latency })
        }
        EmbedCommand::SetChaos { rate } => Msg::Act(ActionKind::SetChaos { rate }),
        EmbedCommand::SetParam { node, key, value } => match set_param(&s.info, node, &key, &value)
        {
            Ok(kind) => Msg::Act(kind),
            Err(e) => return (s, Err(e)),
        },
        EmbedCommand::Load { link } => return load(s, &link),
    };
    let act = matches!(msg, Msg::Act(_));
    let next = Store::reduce(s, msg);
    let done = match (&next.status, act) {
        (Some(why), true) => Err(why.clone()),
        _ => Ok(()),
    };
    (next, done)
}

/// The `load` command: replaces the run with a link's, opened at its `at` (or last action).
fn load(s: Rc<Store>, link: &str) -> (Rc<Store>, Result<(), String>) {
    let page = url::split(crate::scenario::query_of(link));
    let (scenario, problems) = Scenario::from_query(&page.scenario_query);
    if let Some(p) = page.notices.first().or(problems.first()) {
        return (s, Err(p.clone()));
    }
    let mut lab = match protocols::create(&scenario) {
        Ok(lab) => lab,
        Err(e) => return (s, Err(e)),
    };
    let mut done = Ok(());
    let open_at = page.at.or(lab.actions().last().map(|a| a.t)).map(|t| {
        if !advance_bounded(lab.as_mut(), t) {
            done = Err(budget_sentence(lab.now()));
        }
        lab.now()
    });
    let mut next = (*s).clone();
    next.replace_lab(lab, open_at, open_at.is_none());
    (Rc::new(next), done)
}

/// Tells the host page what changed since the last render: `ready` once, then `leaderChanged`,
/// `committed`, `violation` and (at most about four times a second) `time`.
pub fn observe(s: &Store) {
    if !FRAMED.with(Cell::get) {
        return;
    }
    TOLD.with(|told| {
        let mut told = told.borrow_mut();
        if !told.ready {
            told.ready = true;
            let scenario = &s.scenario;
            event(
                "ready",
                object([
                    ("protocol", scenario.protocol.as_str().into()),
                    ("nodes", scenario.nodes.into()),
                    ("seed", scenario.seed.into()),
                ]),
            );
        }
        if told.run != s.run {
            *told = Told {
                ready: true,
                run: s.run,
                ..Told::default()
            };
        }
        let frame = &s.frame;
        let leader = leader(s);
        if let Some((node, epoch)) = leader
            && leader != told.leader
        {
            event(
                "leaderChanged",
                object([("node", node.into()), ("epoch", epoch.into())]),
            );
        }
        told.leader = leader;
        told.committed.resize(frame.nodes.len(), 0);
        for n in frame.nodes.iter() {
            let seen = &mut told.committed[n.id as usize - 1];
            if n.view.log_committed > *seen {
                event(
                    "committed",
                    object([
                        ("node", n.id.into()),
                        ("index", n.view.log_committed.into()),
                    ]),
                );
            }
            *seen = n.view.log_committed;
        }
        for inv in frame.invariants.iter() {
            if let Some((t, detail)) = &inv.violated
                && !told.violated.contains(&inv.name)
            {
                told.violated.push(inv.name);
                event(
                    "violation",
                    object([
                        ("invariant", inv.name.into()),
                        ("detail", detail.as_str().into()),
                        ("t_ms", thousandths(*t)),
                    ]),
                );
            }
        }
        let now = (frame.now, s.playing);
        let wall = dom::window().performance().map_or(0.0, |p| p.now());
        // While playing, renders keep coming: throttle. Paused, time only moves on request
        // (seek, step) and no later render would send a skipped update: send it now.
        let changed = told.time != Some(now);
        let play_changed = told.time.map(|t| t.1) != Some(s.playing);
        if changed && (!s.playing || play_changed || wall - told.time_wall >= TIME_EVERY_MS) {
            told.time = Some(now);
            told.time_wall = wall;
            event(
                "time",
                object([
                    ("t_ms", thousandths(frame.now)),
                    ("playing", s.playing.into()),
                ]),
            );
        }
    });
}
