//! The root component: owns the store, the animation loop and the keyboard shortcuts, and lays
//! out the page (full, or compact with `embed=1`).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::sim::Lab;
use crate::sim::node::Panel;

use super::charts::{Charts, ChartsProps};
use super::controls::{ControlsProps, controls};
use super::el::{El, button, component, fragment, optional};
use super::events_log::{EventLog, EventLogProps};
use super::geometry::leading_role;
use super::hashring::diagram_panel;
use super::help::{Announcer, AnnouncerProps, Help, HelpProps, watch_reduced_motion};
use super::history::{HistoryProps, HistoryView};
use super::inspector::{Inspector, InspectorProps};
use super::invariants::{InvariantsProps, invariants};
use super::kinds::{KindTablesProps, kind_tables};
use super::live::live_settings;
use super::logs::{Logs, LogsProps};
use super::network::{NetworkProps, network};
use super::notices::{alarm, import_failed, notices};
use super::raf::RafLoop;
use super::ring::{RingHandlers, RingProps, ring};
use super::settings::{Settings, SettingsProps};
use super::share::{FilesProps, Share, ShareProps, files_panel, full_page_link};
use super::spacetime::{LabRef, SpaceTime, SpaceTimeProps};
use super::store::{Msg, Store, on_click};
use super::summary::{ClusterSummary, SummaryProps};
use super::timeline::{Timeline, TimelineProps};
use super::tradeoff::{Tradeoff, TradeoffProps};
use super::twin::twin_panel;

/// The whole page.
#[component]
pub fn App() -> Html {
    let store = use_reducer(Store::from_location);
    let dispatch: Callback<Msg> = store.dispatcher().to_callback();

    // The animation loop runs only while playing.
    let raf = {
        let dispatch = dispatch.clone();
        use_memo((), move |_| {
            let after = dispatch.clone();
            RafLoop::new(
                move |dt| dispatch.emit(Msg::Tick(dt)),
                move || after.emit(Msg::Advance),
            )
        })
    };
    use_effect_with(store.playing, {
        let raf = raf.clone();
        move |playing| {
            if *playing {
                raf.start();
            } else {
                raf.stop();
            }
        }
    });

    let ring_handlers = use_memo((), {
        let dispatch = dispatch.clone();
        move |_| RingHandlers::new(&dispatch)
    });

    // Keyboard shortcuts (see the help overlay).
    use_effect_with((), {
        let dispatch = dispatch.clone();
        move |_| {
            let listener = EventListener::new_with_options(
                &super::dom::window(),
                "keydown",
                EventListenerOptions::enable_prevent_default(),
                move |e| {
                    if let Some(e) = e.dyn_ref::<KeyboardEvent>()
                        && let Some(msg) = shortcut(e)
                    {
                        e.prevent_default();
                        dispatch.emit(msg);
                    }
                },
            );
            move || drop(listener)
        }
    });

    // The host page's postMessage API, and the automatic pause while hidden or off screen.
    use_effect_with((), {
        let dispatch = dispatch.clone();
        move |_| {
            let embedding = super::embed::install(dispatch);
            move || drop(embedding)
        }
    });
    // Tell the host page (when embedded) what changed.
    {
        let store = store.clone();
        use_effect(move || super::embed::observe(&store));
    }

    // Trace downloads are built in the background and report how they are going.
    use_effect_with((), {
        let dispatch = dispatch.clone();
        move |_| super::trace_export::install(dispatch)
    });

    // Follow the visitor's reduced-motion preference as it changes.
    use_effect_with((), {
        let dispatch = dispatch.clone();
        move |_| {
            let listener = watch_reduced_motion(move |on| dispatch.emit(Msg::SetReducedMotion(on)));
            move || drop(listener)
        }
    });

    // Test hook `?debug=panic`: panic on purpose once mounted, to show the error panel.
    use_effect_with(store.debug_panic, |debug| {
        if *debug {
            gloo_timers::callback::Timeout::new(50, || {
                panic!("debug=panic: a deliberate panic to test the error panel");
            })
            .forget();
        }
    });

    // A new message at the top (an import's outcome, a refused setting) is brought into view:
    // the visitor may be down at the panel that caused it. Not in an embed, whose scrolling
    // would move the host page.
    use_effect_with(
        (
            store.import_error.clone(),
            store.status.clone(),
            store.embed,
        ),
        |(error, status, embed)| {
            if !*embed && (error.is_some() || status.is_some()) {
                super::dom::scroll_into_view_nearest(MESSAGES_ID);
            }
        },
    );

    let frame = store.frame.clone();
    let embed = store.embed;
    let title = store.info.title;
    let help_button = on_click(&dispatch, Msg::ToggleHelp);
    // "Open full page" leads to the whole page at this run (paused here, or playing from the
    // start), never to the compact layout.
    let full_link = embed.then(|| full_page_link(&store, !store.playing));
    let ring = ring(&RingProps {
        frame: frame.clone(),
        info: store.info.clone(),
        menu: store.menu,
        selected: store.selected,
        reduced_motion: store.reduced_motion,
        playing: store.playing,
        draft: store.partition.clone(),
        dispatch: dispatch.clone(),
        handlers: ring_handlers.clone(),
    });

    let bar = El::new("header")
        .class("bar")
        .child(
            El::new("h1")
                .class("title")
                .child(El::new("span").class("brand").text("QuorumScope"))
                .child(El::new("span").class("proto").text(title)),
        )
        .child(
            El::new("div")
                .class("bar-actions")
                .maybe(full_link.map(|link| {
                    El::new("a")
                        .attr("href", link)
                        .attr("target", "_blank")
                        .attr("rel", "noopener")
                        .class("button")
                        .text("Open full page")
                }))
                .child(component::<Share>(
                    None,
                    ShareProps {
                        share: store.share.clone(),
                        embed,
                        dispatch: dispatch.clone(),
                    },
                ))
                .child(
                    button(help_button)
                        .attr("id", "help-button")
                        .attr("aria-label", "Keyboard shortcuts")
                        .attr("aria-keyshortcuts", "?")
                        .attr("title", "Keyboard shortcuts (?)")
                        .class("icon")
                        .text("?"),
                ),
        );
    let messages = El::new("div")
        .attr("id", MESSAGES_ID)
        .class("messages")
        .child(notices(&store.notices, &dispatch))
        .child(import_failed(store.import_error.as_deref(), &dispatch))
        .child(alarm(&frame.invariants))
        .maybe(store.status.as_ref().map(|status| {
            El::new("p")
                .attr("role", "status")
                .class("status")
                .text(status.clone())
        }));
    // The ring takes the height the bar and the controls leave in an embed (see the embed rules
    // in the style sheet).
    let ring = if embed {
        El::new("div").class("ring-fit").child(ring).into()
    } else {
        ring
    };
    let below_ring = (!embed).then(|| {
        let lab = || LabRef(store.lab.clone());
        let logs = (store.info.picture.panel == Panel::Log).then(|| {
            component::<Logs>(
                None,
                LogsProps {
                    nodes: frame.nodes.clone(),
                    peers: frame.peers,
                    info: store.info.clone(),
                    selected: store.selected,
                },
            )
        });
        fragment(vec![
            component::<Timeline>(
                None,
                TimelineProps {
                    marks: store.milestones.clone(),
                    leader: leading_role(&store.info),
                    now: store.clock.0,
                    horizon: store.clock.1,
                    dispatch: dispatch.clone(),
                },
            ),
            component::<SpaceTime>(
                None,
                SpaceTimeProps {
                    lab: lab(),
                    frame: frame.clone(),
                    info: store.info.clone(),
                    speed: store.speed,
                    selected: store.selected,
                    reduced_motion: store.reduced_motion,
                    playing: store.playing,
                    clocks: store.clocks,
                    dispatch: dispatch.clone(),
                },
            ),
            history_views(&store, &dispatch),
            optional(logs),
            kind_tables(&KindTablesProps {
                nodes: frame.nodes.clone(),
                peers: frame.peers,
                info: store.info.clone(),
                selected: store.selected,
                dispatch: dispatch.clone(),
            }),
            live_settings(&store.info, &frame.setup, &dispatch),
            component::<Charts>(
                None,
                ChartsProps {
                    lab: lab(),
                    now: store.clock.0,
                    horizon: store.clock.1,
                    playing: store.playing,
                    actions: frame.actions,
                    dispatch: dispatch.clone(),
                },
            ),
            diagram_panel((*frame.diagram).as_ref()),
            twin_panel(&store.info, store.twin_view.as_deref(), &dispatch),
            // Only for a protocol that declares a trade-off: the panel's code is fetched with
            // the other protocols' (.ci/split-wasm.mjs), not with the first page.
            optional(store.info.picture.tradeoff.is_some().then(|| {
                component::<Tradeoff>(
                    Some(store.run.into()),
                    TradeoffProps {
                        scenario: store.scenario.clone(),
                        info: store.info.clone(),
                    },
                )
            })),
        ])
    });
    let stage = El::new("section")
        .attr("aria-label", "Cluster")
        .class("stage")
        .maybe(store.intro.hint.then(super::intro::hint))
        .child(ring)
        .child(controls(&ControlsProps {
            playing: store.playing,
            speed: store.speed,
            now: store.clock.0,
            horizon: store.clock.1,
            compact: embed,
            fast_start: store
                .intro
                .fast_start
                .then(|| super::intro::awaited(&store.info)),
            behind: store.behind.filter(|_| store.playing),
            dispatch: dispatch.clone(),
        }))
        .maybe(below_ring);
    let side = (!embed).then(|| {
        El::new("aside")
            .attr("aria-label", "Panels")
            .class("side")
            .child(component::<ClusterSummary>(
                None,
                SummaryProps {
                    summary: frame.summary.clone(),
                },
            ))
            .child(component::<Inspector>(
                None,
                InspectorProps {
                    nodes: frame.nodes.clone(),
                    info: store.info.clone(),
                    selected: store.selected,
                    dispatch: dispatch.clone(),
                    prev: store.prev_selected.clone(),
                },
            ))
            .child(invariants(&InvariantsProps {
                invariants: frame.invariants.clone(),
                chaos: frame.chaos,
            }))
            .child(network(&NetworkProps {
                network: frame.network.clone(),
                nodes: frame.nodes.len(),
                draft: store.partition.clone(),
                chaos: frame.chaos.rate,
                dispatch: dispatch.clone(),
            }))
            .child(files_panel(&FilesProps {
                stem: picture_stem(&store),
                dispatch: dispatch.clone(),
            }))
            .child(component::<EventLog>(
                None,
                EventLogProps {
                    lab: LabRef(store.lab.clone()),
                    now: store.clock.0,
                    paused_events: if store.playing { 0 } else { frame.events },
                    actions: frame.actions,
                    playing: store.playing,
                    nodes: frame.nodes.len(),
                    dispatch: dispatch.clone(),
                },
            ))
            .child(component::<Settings>(
                Some(store.run.into()),
                SettingsProps {
                    scenario: store.scenario.clone(),
                    info: store.info.clone(),
                    protocols: store.protocols.clone(),
                    dispatch: dispatch.clone(),
                },
            ))
    });
    El::new("div")
        .class(classes!("app", embed.then_some("embed")))
        .child(bar)
        .child(messages)
        .child(El::new("main").class("layout").child(stage).maybe(side))
        .child(component::<Announcer>(
            None,
            AnnouncerProps {
                text: AttrValue::from(store.announce.clone()),
            },
        ))
        .maybe(store.help.then(|| {
            component::<Help>(
                None,
                HelpProps {
                    dispatch: dispatch.clone(),
                },
            )
        }))
        .into()
}

/// The history view of the run's client operations, and the twin's beside it when one is shown;
/// each only once its run has an operation (a run without any has no history, and the view's
/// code is fetched with the other protocols', see .ci/split-wasm.mjs).
fn history_views(store: &Store, dispatch: &Callback<Msg>) -> Html {
    let view = |lab: Rc<RefCell<Box<dyn Lab>>>, now, id: &'static str, title: String| {
        if !lab.borrow().has_operations() {
            return Html::default();
        }
        component::<HistoryView>(
            Some(id.into()),
            HistoryProps {
                lab: LabRef(lab),
                now,
                speed: store.speed,
                reduced_motion: store.reduced_motion,
                playing: store.playing,
                id,
                title: title.into(),
                dispatch: dispatch.clone(),
            },
        )
    };
    let twin = (store.twin_lab())
        .zip(store.twin_view.as_deref())
        .map(|(lab, t)| {
            view(
                lab,
                t.now,
                "hv-twin",
                format!("Client history, {} = {}", t.key, t.value_text),
            )
        });
    let title = match store.twin_view.as_deref() {
        Some(t) => format!(
            "Client history, {} = {} (this run)",
            t.key, t.main_value_text
        ),
        None => "Client history".to_string(),
    };
    fragment(vec![
        view(store.lab.clone(), store.clock.0, "hv", title),
        optional(twin),
    ])
}

/// The messages above the ring (brought into view when one appears).
const MESSAGES_ID: &str = "messages";

/// File name stem for a saved picture: `quorumscope-raft-seed7-1250ms`.
fn picture_stem(store: &Store) -> String {
    format!(
        "quorumscope-{}-seed{}-{}ms",
        store.info.name,
        store.scenario.seed,
        store.clock.0 / 1000
    )
}

/// The message a key press stands for, if it is a shortcut here. Keys typed into form fields,
/// and Space/Enter on buttons, keep their usual meaning.
fn shortcut(e: &KeyboardEvent) -> Option<Msg> {
    if e.default_prevented() || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    let key = e.key();
    let target = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let tag = target
        .as_ref()
        .map(|t| t.tag_name().to_ascii_uppercase())
        .unwrap_or_default();
    let role = target
        .as_ref()
        .and_then(|t| t.get_attribute("role"))
        .unwrap_or_default();
    let in_field = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
    let on_control =
        in_field || tag == "BUTTON" || tag == "A" || role == "button" || role == "menuitem";
    if key == "Escape" {
        return Some(Msg::Escape);
    }
    if in_field {
        return None;
    }
    Some(match key.as_str() {
        " " | "Spacebar" if !on_control => Msg::TogglePlay,
        "k" => Msg::TogglePlay,
        "." | "ArrowRight" => Msg::Step,
        "," | "ArrowLeft" => Msg::StepBack,
        "[" => Msg::Slower,
        "]" => Msg::Faster,
        "Home" => Msg::SeekStart,
        "End" => Msg::SeekEnd,
        "?" => Msg::ToggleHelp,
        "s" => Msg::Share,
        _ => return None,
    })
}
