//! Recent milestones (leaders, commits, actions, violations) and the trace download.

use yew::prelude::*;

use crate::sim::time::format_time;

use super::store::{Headline, Msg, Snap, on_click};

/// Inputs of [`events_log`].
pub struct EventsLogProps {
    /// Recent headlines, oldest first.
    pub recent: Snap<Vec<Headline>>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The recent-events panel.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn events_log(p: &EventsLogProps) -> Html {
    let download = on_click(&p.dispatch, Msg::DownloadTrace);
    html! {
        <section class="panel events" aria-labelledby="events-title">
            <h2 id="events-title">{ "Recent events" }</h2>
            if p.recent.is_empty() {
                <p class="hint">{ "Leader changes, commits, your actions and violations appear here." }</p>
            } else {
                <ol reversed=true>
                    { for p.recent.iter().rev().map(|h| html! {
                        <li class={h.marker.unwrap_or("note")}>
                            <time>{ format_time(h.t) }</time>{ " " }{ h.text.clone() }
                        </li>
                    }) }
                </ol>
            }
            <button type="button" onclick={download}>{ "Download trace (JSON Lines)" }</button>
        </section>
    }
}
