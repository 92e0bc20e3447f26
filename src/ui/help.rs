//! The keyboard help overlay, opened with `?` and closed with Escape.

use yew::prelude::*;

use super::dom;
use super::store::{Msg, on_click};

/// Props of [`Help`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// Every shortcut: keys and what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space or K", "Play / pause"),
    (". or →", "Step: process the next event"),
    (", or ←", "Step back to the previous event"),
    ("[ and ]", "Slower / faster"),
    ("Home / End", "Jump to the start / the latest moment"),
    ("Tab, then Enter", "Open a node's or a message's menu"),
    ("↑ ↓ in a menu", "Move between the menu's actions"),
    ("S", "Share: copy a link to this moment"),
    ("?", "Show or hide this help"),
    ("Escape", "Close a menu, this help or the share box"),
];

/// The help dialog.
#[component]
pub fn Help(p: &HelpProps) -> Html {
    use_effect_with((), |_| {
        dom::focus_id("help-close");
        // On closing, focus returns to the button that opens the help.
        || {
            dom::focus_id("help-button");
        }
    });
    let close = on_click(&p.dispatch, Msg::ToggleHelp);
    let backdrop = close.clone();
    html! {
        <div class="overlay" onclick={backdrop}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title"
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <table>
                    <tbody>
                        { for SHORTCUTS.iter().map(|(k, what)| html! {
                            <tr><th scope="row"><kbd>{ *k }</kbd></th><td>{ *what }</td></tr>
                        }) }
                    </tbody>
                </table>
                <p class="hint">{ "Click or tap a node or a moving message for its menu. The time slider scrubs back and forth; acting in the past starts a new branch." }</p>
                <button type="button" id="help-close" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
