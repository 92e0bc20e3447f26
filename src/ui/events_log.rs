//! The event log: trace lines up to now, newest first, filterable by node and by kind, and the
//! trace download.
//!
//! Only the last [`SHOWN`] matching lines are kept and drawn. They are found incrementally: new
//! lines are read once as the trace grows, lines after now are dropped when the visitor goes
//! back, and older matches are searched backwards in bounded steps. Every entry is a button that
//! seeks to its time; its line is clipped to one row, and the whole text (`TraceView::text`, the
//! "why") unfolds on hover and on keyboard focus.
//!
//! The Kind filter offers every kind in the run, not only those among the listed lines: the
//! trace is read once from its start, [`BUDGET`] lines per update (updates continue on their
//! own until it is all read), and each kind is kept as it is first met.

use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::sim::lab::{Lab, Milestone, TraceView};
use crate::sim::node::NodeId;
use crate::sim::time::{Micros, format_time};

use super::el::{El, button, component};
use super::spacetime::LabRef;
use super::store::{Msg, Snap, on_click};

/// Lines listed at most.
pub const SHOWN: usize = 200;
/// Lines read at most per update while searching backwards for older matches.
const BUDGET: usize = 20_000;
/// Least wall time between two updates of the list while the run plays, in ms (a list that
/// scrolls faster cannot be read anyway, and each update repaints it).
pub const PLAYING_GAP_MS: f64 = 250.0;

/// Kinds every protocol's trace has (protocol notes add their own, found as they appear).
const BASE_KINDS: [&str; 8] = [
    "send",
    "deliver",
    "drop",
    "client",
    "crash",
    "restart",
    "action",
    "violation",
];

/// One listed line: its position in the trace and its view.
type Line = Rc<(usize, TraceView)>;

/// What the list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Filter {
    node: Option<NodeId>,
    kind: Option<&'static str>,
}

impl Filter {
    fn matches(&self, l: &TraceView) -> bool {
        self.node.is_none_or(|n| l.nodes.contains(&n))
            && self.kind.is_none_or(|k| l.kind.as_str() == k)
    }
}

/// The matching lines found so far and how far the trace was read.
struct Cache {
    key: Option<(usize, usize, Filter)>,
    /// Lines `[low, scanned)` have been read.
    low: usize,
    scanned: usize,
    lines: VecDeque<Line>,
    /// What the list draws (replaced only when `lines` changes).
    shown: Snap<Vec<Line>>,
    kinds: Vec<&'static str>,
    /// The run whose kinds are in `kinds`, and how many of its first lines were read for them.
    kinds_of: Option<usize>,
    kinds_read: usize,
    /// Wall time (ms) of the last update.
    wall: f64,
    /// Whether the last update replaced half the list or more.
    churn: bool,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            key: None,
            low: 0,
            scanned: 0,
            lines: VecDeque::new(),
            shown: Snap::new(Vec::new()),
            kinds: Vec::new(),
            kinds_of: None,
            kinds_read: 0,
            wall: f64::NEG_INFINITY,
            churn: false,
        }
    }
}

impl Cache {
    fn note_kind(&mut self, kind: &'static str) {
        if !BASE_KINDS.contains(&kind) && !self.kinds.contains(&kind) {
            self.kinds.push(kind);
        }
    }

    /// Reads up to [`BUDGET`] more lines of run `run` for their kinds; returns whether lines
    /// are left to read.
    fn scan_kinds(&mut self, lab: &dyn Lab, run: usize) -> bool {
        if self.kinds_of != Some(run) {
            self.kinds_of = Some(run);
            self.kinds.clear();
            self.kinds_read = 0;
        }
        let len = lab.trace_len();
        // Back in time, or a fork: the lines from here on may differ.
        self.kinds_read = self.kinds_read.min(len);
        let end = len.min(self.kinds_read + BUDGET);
        for i in self.kinds_read..end {
            self.note_kind(lab.trace_kind(i).as_str());
        }
        self.kinds_read = end;
        end < len
    }

    /// Reads what changed in the trace; returns whether the list changed.
    fn update(&mut self, lab: &dyn Lab, key: (usize, usize, Filter)) -> bool {
        let filter = key.2;
        let len = lab.trace_len();
        let mut changed = false;
        if self.key != Some(key) {
            self.key = Some(key);
            self.lines.clear();
            self.low = len;
            self.scanned = len;
            changed = true;
        }
        if len < self.scanned {
            // Back in time: forget the lines after now.
            while self.lines.back().is_some_and(|l| l.0 >= len) {
                self.lines.pop_back();
            }
            self.scanned = len;
            self.low = self.low.min(len);
            changed = true;
        }
        if len > self.scanned {
            // Read the new lines newest first, and stop once they fill the list: older ones
            // would be pushed out anyway (a fast run adds thousands of lines a second).
            let mut fresh = Vec::new();
            let mut i = len;
            let mut budget = BUDGET;
            while i > self.scanned && fresh.len() < SHOWN && budget > 0 {
                i -= 1;
                budget -= 1;
                let l = lab.trace_line(i);
                self.note_kind(l.kind.as_str());
                if filter.matches(&l) {
                    fresh.push(Rc::new((i, l)));
                }
            }
            if i > self.scanned {
                // Lines in between were not read: the list restarts from the fresh ones, and
                // older matches are searched for again below.
                self.lines.clear();
                self.low = i;
            }
            changed |= !fresh.is_empty();
            self.lines.extend(fresh.into_iter().rev());
            while self.lines.len() > SHOWN {
                self.lines.pop_front();
            }
            self.scanned = len;
        }
        // Fill up with older matches, a bounded amount per update.
        let mut budget = BUDGET;
        while self.lines.len() < SHOWN && self.low > 0 && budget > 0 {
            self.low -= 1;
            budget -= 1;
            let l = lab.trace_line(self.low);
            self.note_kind(l.kind.as_str());
            if filter.matches(&l) {
                self.lines.push_front(Rc::new((self.low, l)));
                changed = true;
            }
        }
        if changed {
            self.shown = Snap::new(self.lines.iter().cloned().collect());
        }
        changed
    }
}

/// Props of [`EventLog`].
#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// The run.
    pub lab: LabRef,
    /// Virtual time shown by the clock (the log follows it, ten times a second while playing).
    pub now: Micros,
    /// While paused: events processed (a step at the same time still updates the log).
    pub paused_events: u64,
    /// Actions on the branch (a change means the trace may have been cut).
    pub actions: usize,
    /// Whether the run plays (the list then changes at most [`PLAYING_GAP_MS`] apart).
    pub playing: bool,
    /// Cluster size, for the node filter.
    pub nodes: usize,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The event log panel.
#[component]
pub fn EventLog(p: &EventLogProps) -> Html {
    let filter = use_state_eq(Filter::default);
    let cache = use_mut_ref(Cache::default);
    let redraw = use_force_update();
    let (shown, kinds, low) = {
        let mut c = cache.borrow_mut();
        let key = (p.lab.id(), p.actions, *filter);
        let wall = super::dom::window().performance().map_or(0.0, |t| t.now());
        // A list half replaced last time (a fast run) waits four times longer.
        let gap = PLAYING_GAP_MS * if c.churn { 4.0 } else { 1.0 };
        if !p.playing || c.key != Some(key) || wall - c.wall >= gap {
            c.wall = wall;
            let lab = p.lab.0.borrow();
            let newest = c.lines.back().map(|l| l.0);
            c.update(lab.as_ref(), key);
            let fresh = c
                .lines
                .iter()
                .rev()
                .take_while(|l| Some(l.0) > newest)
                .count();
            c.churn = newest.is_some() && fresh >= SHOWN / 2;
            if c.scan_kinds(lab.as_ref(), p.lab.id()) {
                // More of the trace to read for its kinds: come back soon, even if paused.
                gloo_timers::callback::Timeout::new(50, move || redraw.force_update()).forget();
            }
        }
        (c.shown.clone(), c.kinds.clone(), c.low)
    };

    let on_node = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            filter.set(Filter {
                node: select.value().parse().ok(),
                ..*filter
            });
        })
    };
    let on_kind = {
        let filter = filter.clone();
        let all: Vec<&'static str> = BASE_KINDS.iter().copied().chain(kinds.clone()).collect();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            filter.set(Filter {
                kind: all.iter().copied().find(|k| *k == value),
                ..*filter
            });
        })
    };
    let download = on_click(&p.dispatch, Msg::DownloadTrace);
    let shiviz = on_click(&p.dispatch, Msg::DownloadShiViz);
    let count = shown.len();
    let hint = if count == 0 {
        "No matching lines up to now.".to_string()
    } else if count >= SHOWN {
        format!("The newest {SHOWN} matching lines up to now. Activate one to go to its time.")
    } else if low > 0 {
        format!("{count} matching lines found so far (older lines are still being searched).")
    } else {
        format!("{count} matching lines up to now. Activate one to go to its time.")
    };

    let nodes = (1..=p.nodes as NodeId).map(|n| {
        El::new("option")
            .attr("value", n.to_string())
            .flag("selected", filter.node == Some(n))
            .text(format!("Node {n}"))
    });
    let kinds = BASE_KINDS
        .iter()
        .copied()
        .chain(kinds.iter().copied())
        .map(|k| {
            El::new("option")
                .attr("value", k)
                .flag("selected", filter.kind == Some(k))
                .text(k)
        });
    El::new("section")
        .attr("aria-labelledby", "events-title")
        .class("panel events")
        .child(Html::from_html_unchecked(AttrValue::Static(
            "<h2 id=\"events-title\">Event log</h2>",
        )))
        .child(
            El::new("div")
                .class("row ev-filters")
                .child(filter_select(
                    ("Node", "ev-node"),
                    on_node,
                    ("All nodes", filter.node.is_none()),
                    nodes,
                ))
                .child(filter_select(
                    ("Kind", "ev-kind"),
                    on_kind,
                    ("All kinds", filter.kind.is_none()),
                    kinds,
                )),
        )
        .child(El::new("p").attr("id", "ev-hint").class("hint").text(hint))
        .child(component::<EntryList>(
            None,
            EntryListProps {
                lines: shown,
                dispatch: p.dispatch.clone(),
            },
        ))
        .child(button(download).text("Download trace (JSON Lines)"))
        .child(button(shiviz).text("Download ShiViz log"))
        .into()
}

/// A filter: a select labelled `label` (of id `id`) whose first choice, `all`, stands for no
/// filter (chosen while `unfiltered`), then `choices`.
fn filter_select(
    (label, id): (&'static str, &'static str),
    onchange: Callback<Event>,
    (all, unfiltered): (&'static str, bool),
    choices: impl Iterator<Item = El>,
) -> El {
    let all = El::new("option")
        .attr("value", "")
        .flag("selected", unfiltered)
        .text(all);
    El::new("label").child(El::new("span").text(label)).child(
        El::new("select")
            .attr("id", id)
            .on_change(onchange)
            .child(all)
            .children(choices),
    )
}

/// Props of [`EntryList`].
#[derive(Properties, PartialEq)]
struct EntryListProps {
    lines: Snap<Vec<Line>>,
    dispatch: Callback<Msg>,
}

/// The entries, newest first; redrawn only when the list changes.
#[component]
fn EntryList(p: &EntryListProps) -> Html {
    let onclick = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            let t = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("[data-t]").ok().flatten())
                .and_then(|el| el.get_attribute("data-t"))
                .and_then(|t| t.parse::<Micros>().ok());
            if let Some(t) = t {
                dispatch.emit(Msg::Seek(t));
            }
        })
    };
    let entries = p.lines.iter().rev().map(|line| {
        let (i, l) = &**line;
        let nodes: Vec<String> = l.nodes.iter().map(|n| n.to_string()).collect();
        El::new("li").key(*i).child(
            El::new("button")
                .attr("type", "button")
                .attr("data-t", l.t.to_string())
                .attr("data-nodes", nodes.join(","))
                .class(classes!(
                    "ev",
                    l.kind.as_str(),
                    l.marker.map(Milestone::as_str)
                ))
                .child(El::new("time").text(format_time(l.t)))
                .child(El::new("span").class("ev-kind").text(l.kind.as_str()))
                .child(El::new("span").class("ev-text").text(l.text.clone())),
        )
    });
    El::new("ol")
        .attr("aria-describedby", "ev-hint")
        .class("ev-list")
        .on_click(onclick)
        .children(entries)
        .into()
}
