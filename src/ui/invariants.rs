//! The live invariant panel: each safety property the checker enforces, OK or violated (with
//! when and why), and under how many faults chaos mode injected.

use yew::prelude::*;

use crate::sim::lab::{ChaosView, InvariantStatus};
use crate::sim::time::format_time;

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
    html! {
        <section class="panel invariants" aria-labelledby="invariants-title">
            <h2 id="invariants-title">{ "Invariants " }<small>{ summary }</small></h2>
            <ul>
                { for p.invariants.iter().map(|inv| {
                    let (class, badge) = if inv.violated.is_some() { ("bad", "✗ VIOLATED") } else { ("ok", "✓ OK") };
                    html! {
                        <li class={class}>
                            <span class="badge">{ badge }</span>{ " " }
                            <strong>{ inv.name }</strong>
                            <p class="statement">{ inv.statement }</p>
                            if let Some((t, detail)) = &inv.violated {
                                <p class="detail">{ format!("At {}: {detail}", format_time(*t)) }</p>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
