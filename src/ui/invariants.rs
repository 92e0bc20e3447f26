//! The live invariant panel: each safety property the checker enforces, OK or violated (with
//! when and why), and under how many faults chaos mode injected.

use yew::prelude::*;

use crate::sim::lab::{ChaosView, InvariantStatus};
use crate::sim::time::format_time;

use super::el::El;
use super::store::Snap;

/// Inputs of [`invariants`].
pub struct InvariantsProps {
    /// The invariants now.
    pub invariants: Snap<Vec<InvariantStatus>>,
    /// Chaos mode now: the faults it injected are what the invariants held (or broke) under.
    pub chaos: ChaosView,
}

/// The invariant panel.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn invariants(p: &InvariantsProps) -> Html {
    let bad = p.invariants.iter().filter(|i| i.violated.is_some()).count();
    let mut summary = if bad == 0 {
        "all hold".to_string()
    } else {
        format!("{bad} violated")
    };
    let injected = p.chaos.injected;
    if injected > 0 {
        let s = if injected == 1 { "" } else { "s" };
        summary.push_str(&format!(" under {injected} injected fault{s}"));
    }
    let items = p.invariants.iter().map(|inv| {
        let (class, badge) = if inv.violated.is_some() {
            ("bad", "✗ VIOLATED")
        } else {
            ("ok", "✓ OK")
        };
        let detail = inv.violated.as_ref().map(|(t, detail)| {
            El::new("p")
                .class("detail")
                .text(format!("At {}: {detail}", format_time(*t)))
        });
        El::new("li")
            .class(class)
            .child(El::new("span").class("badge").text(badge))
            .text(" ")
            .child(El::new("strong").text(inv.name))
            .child(El::new("p").class("statement").text(inv.statement))
            .maybe(detail)
    });
    El::new("section")
        .attr("aria-labelledby", "invariants-title")
        .class("panel invariants")
        .child(
            El::new("h2")
                .attr("id", "invariants-title")
                .text("Invariants ")
                .child(El::new("small").text(summary)),
        )
        .child(El::new("ul").children(items))
        .into()
}
