//! Messages above the ring: problems found in the page's link, why a trace import failed, and
//! the safety alarm banner. Plain functions rather than components: they are usually empty and
//! cost nothing to redraw.

use yew::prelude::*;

use crate::sim::lab::InvariantStatus;
use crate::sim::time::format_time;

use super::el::{El, button};
use super::store::{Msg, Snap, on_click};

/// What was wrong with the link (one sentence per problem), and what was used instead.
pub fn notices(notices: &Snap<Vec<String>>, dispatch: &Callback<Msg>) -> Html {
    if notices.is_empty() {
        return Html::default();
    }
    message(
        El::new("section")
            .attr("role", "status")
            .attr("aria-labelledby", "notices-title")
            .class("notices"),
        "notices-title",
        "Some link parameters could not be used",
    )
    .child(El::new("ul").children(notices.iter().map(|n| El::new("li").text(n.clone()))))
    .child(dismiss_button(dispatch))
    .into()
}

/// A message `section` with its heading (`title`, of id `title_id`).
fn message(section: El, title_id: &'static str, title: &'static str) -> El {
    section.child(El::new("h2").attr("id", title_id).text(title))
}

/// The button that dismisses a message.
fn dismiss_button(dispatch: &Callback<Msg>) -> El {
    button(on_click(dispatch, Msg::DismissNotices)).text("Dismiss")
}

/// Why the last trace import failed (the file's name and the reason), at the top of the page
/// where a successful import shows its new run; shown until dismissed or the next import.
pub fn import_failed(error: Option<&str>, dispatch: &Callback<Msg>) -> Html {
    let Some(error) = error else {
        return Html::default();
    };
    message(
        El::new("section")
            .attr("role", "alert")
            .attr("aria-labelledby", "import-error-title")
            .class("import-error"),
        "import-error-title",
        "The trace was not imported",
    )
    .child(El::new("p").text(error.to_string()))
    .child(dismiss_button(dispatch))
    .into()
}

/// The alarm banner, shown while any invariant is violated.
pub fn alarm(invariants: &[InvariantStatus]) -> Html {
    let broken: Vec<&InvariantStatus> =
        invariants.iter().filter(|i| i.violated.is_some()).collect();
    if broken.is_empty() {
        return Html::default();
    }
    let items = broken.iter().filter_map(|i| {
        let (t, detail) = i.violated.as_ref()?;
        Some(El::new("li").text(format!(
            "{} broken at {}: {detail}",
            i.name,
            format_time(*t)
        )))
    });
    El::new("div")
        .attr("role", "alert")
        .class("alarm")
        .child(El::new("strong").text("⚠ Safety violation"))
        .child(El::new("ul").children(items))
        .into()
}
