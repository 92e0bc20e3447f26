//! The "Trade-off" panel, for a protocol that declares one ([`crate::sim::TradeoffSpec`]): a
//! button measures the declared sweep at the visitor's settings over a few seeded runs with
//! gentle crashes ([`crate::tradeoff::plan`]) and draws each figure against the swept values,
//! with the numbers as a table. The numbers are `quorumscope compare`'s for the same seeds,
//! duration and settings (`tests/tradeoff.rs`).
//!
//! The runs go on a slice of virtual time at a time in timer ticks of about [`WORK_MS`] of
//! wall time, so the page stays responsive; the panel shows the progress and a cancel button.
//! A run that breaks an invariant is reported with a link that opens it. The result is written
//! as markup by [`crate::tradeoff::Plan::markup`] (tested natively, and small in the build).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::comparison::{Comparison, Measurement};
use crate::scenario::Scenario;
use crate::sim::node::ProtocolInfo;
use crate::sim::time::{Micros, SEC};
use crate::tradeoff;

use super::el::{self, El, fragment, optional};
use super::raf::now_ms;
use super::store::Snap;

/// Wall milliseconds of simulation per timer tick.
const WORK_MS: f64 = 12.0;
/// Virtual time a run advances per step (a step stays well under a millisecond of work).
const SLICE: Micros = 2 * SEC;

/// Props of [`Tradeoff`].
#[derive(Properties, PartialEq)]
pub struct TradeoffProps {
    /// The visitor's current settings (the run's starting scenario).
    pub scenario: Snap<Scenario>,
    /// The protocol, which declares the trade-off.
    pub info: Snap<ProtocolInfo>,
}

/// Where the panel is.
#[derive(Clone)]
enum Phase {
    /// Not measured yet (or cancelled: the note says so).
    Idle(Option<&'static str>),
    /// Runs under way: finished, total, and the one under way.
    Running(usize, usize, String),
    /// Measured.
    Done(Rc<Comparison>),
    /// The settings cannot be measured (a swept value the protocol refuses here).
    Failed(String),
}

/// The measurement under way, carried from one timer tick to the next.
struct Work {
    measurement: Measurement,
    /// Its number; a tick of an older one (cancelled, or the panel gone) stops.
    id: u64,
    current: Rc<RefCell<u64>>,
    phase: UseStateSetter<Phase>,
}

impl Work {
    fn later(self) {
        gloo_timers::callback::Timeout::new(0, move || self.tick()).forget();
    }

    fn tick(mut self) {
        if *self.current.borrow() != self.id {
            return;
        }
        let start = now_ms();
        loop {
            if self.measurement.step(SLICE) {
                self.phase
                    .set(Phase::Done(Rc::new(self.measurement.finish())));
                return;
            }
            if now_ms() - start >= WORK_MS {
                break;
            }
        }
        self.phase.set(running(&self.measurement));
        self.later();
    }
}

/// The progress of `m`, as the panel shows it.
fn running(m: &Measurement) -> Phase {
    let at = m.current().map_or(String::new(), |(value, seed)| {
        format!("{value}, seed {seed}")
    });
    Phase::Running(m.done(), m.runs(), at)
}

/// The panel; nothing at all when the protocol declares no trade-off.
#[component]
pub fn Tradeoff(p: &TradeoffProps) -> Html {
    let phase = use_state(|| Phase::Idle(None));
    let current = use_mut_ref(|| 0u64);
    {
        // The panel goes (a new run, another protocol): its measurement stops.
        let current = current.clone();
        use_effect_with((), move |_| move || *current.borrow_mut() += 1);
    }
    let Some(plan) = tradeoff::plan(&p.info, &p.scenario) else {
        return Html::default();
    };
    let start = {
        let (phase, current) = (phase.clone(), current.clone());
        let (plan, scenario) = (plan.clone(), p.scenario.clone());
        Callback::from(move |_: MouseEvent| {
            let id = {
                let mut c = current.borrow_mut();
                *c += 1;
                *c
            };
            match plan.start(&scenario.0) {
                Err(e) => phase.set(Phase::Failed(e)),
                Ok(measurement) => {
                    phase.set(running(&measurement));
                    Work {
                        measurement,
                        id,
                        current: current.clone(),
                        phase: phase.setter(),
                    }
                    .later();
                }
            }
        })
    };
    // The measure button stays enabled (pressed again, it starts over), so that focus stays
    // on it; Cancel, which goes away, hands focus back to it.
    let button = use_node_ref();
    let cancel = {
        let (phase, current, button) = (phase.clone(), current.clone(), button.clone());
        Callback::from(move |_: MouseEvent| {
            *current.borrow_mut() += 1;
            phase.set(Phase::Idle(Some("Cancelled.")));
            let button = button.clone();
            gloo_timers::callback::Timeout::new(0, move || {
                if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            })
            .forget();
        })
    };
    let status = || El::new("p").class("tradeoff-status");
    let body = match &*phase {
        Phase::Idle(note) => optional(note.map(|note| status().attr("role", "status").text(note))),
        // Not a live region: it changes every few milliseconds.
        Phase::Running(done, runs, at) => status()
            .child(
                El::new("progress")
                    .attr("max", runs.to_string())
                    .attr("aria-label", "Runs done")
                    .attr("value", done.to_string()),
            )
            .text(format!(
                " Run {} of {runs} ({} {at})…",
                done + 1,
                plan.sweep.key
            ))
            .child(el::button(cancel).text("Cancel"))
            .into(),
        Phase::Failed(e) => El::new("p")
            .attr("role", "alert")
            .class("tradeoff-status bad")
            .text(format!("Cannot measure at these settings: {e}"))
            .into(),
        Phase::Done(c) => fragment(vec![
            status()
                .attr("role", "status")
                .text("Measured: the charts and the numbers follow.")
                .into(),
            Html::from_html_unchecked(plan.markup(c).into()),
        ]),
    };
    El::new("section")
        .attr("aria-labelledby", "tradeoff-title")
        .class("panel tradeoff")
        .child(
            El::new("h2")
                .attr("id", "tradeoff-title")
                .text("Trade-off ")
                .child(El::new("small").text(format!("{} swept", plan.label))),
        )
        .child(
            El::new("p")
                .class("tradeoff-about")
                .text(format!(
                    "Sample: {}, one node at a time crashing and restarting. The same numbers on the command line: ",
                    plan.sample()
                ))
                .child(
                    El::new("code")
                        .class("tradeoff-command")
                        .text(plan.command(&p.scenario)),
                ),
        )
        .child(
            el::button(start)
                .class("tradeoff-run")
                .node_ref(button)
                .text("Measure the trade-off"),
        )
        .child(body)
        .into()
}
