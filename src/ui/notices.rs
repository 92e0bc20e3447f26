//! Messages above the ring: problems found in the page's link, why a trace import failed, and
//! the safety alarm banner. Plain functions rather than components: they are usually empty and
//! cost nothing to redraw.

use yew::prelude::*;

use crate::sim::lab::InvariantStatus;
use crate::sim::time::format_time;

use super::store::{Msg, Snap, on_click};

/// What was wrong with the link (one sentence per problem), and what was used instead.
pub fn notices(notices: &Snap<Vec<String>>, dispatch: &Callback<Msg>) -> Html {
    if notices.is_empty() {
        return html! {};
    }
    let dismiss = on_click(dispatch, Msg::DismissNotices);
    html! {
        <section class="notices" role="status" aria-labelledby="notices-title">
            <h2 id="notices-title">{ "Some link parameters could not be used" }</h2>
            <ul>{ for notices.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
            <button type="button" onclick={dismiss}>{ "Dismiss" }</button>
        </section>
    }
}

/// Why the last trace import failed (the file's name and the reason), at the top of the page
/// where a successful import shows its new run; shown until dismissed or the next import.
pub fn import_failed(error: Option<&str>, dispatch: &Callback<Msg>) -> Html {
    let Some(error) = error else {
        return html! {};
    };
    let dismiss = on_click(dispatch, Msg::DismissNotices);
    html! {
        <section class="import-error" role="alert" aria-labelledby="import-error-title">
            <h2 id="import-error-title">{ "The trace was not imported" }</h2>
            <p>{ error.to_string() }</p>
            <button type="button" onclick={dismiss}>{ "Dismiss" }</button>
        </section>
    }
}

/// The alarm banner, shown while any invariant is violated.
pub fn alarm(invariants: &[InvariantStatus]) -> Html {
    let broken: Vec<&InvariantStatus> =
        invariants.iter().filter(|i| i.violated.is_some()).collect();
    if broken.is_empty() {
        return html! {};
    }
    html! {
        <div class="alarm" role="alert">
            <strong>{ "⚠ Safety violation" }</strong>
            <ul>
                { for broken.iter().filter_map(|i| {
                    let (t, detail) = i.violated.as_ref()?;
                    Some(html! { <li>{ format!("{} broken at {}: {detail}", i.name, format_time(*t)) }</li> })
                }) }
            </ul>
        </div>
    }
}
