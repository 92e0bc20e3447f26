//! The Share button: copies a permalink to this very moment of the run (scenario, recorded
//! actions and time), or shows it in a text field to copy by hand.

use yew::prelude::*;

use super::dom;
use super::store::{Msg, ShareState, on_click};

/// Props of [`Share`].
#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// The open share box, if any.
    pub share: Option<ShareState>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The button and its box.
#[component]
pub fn Share(p: &ShareProps) -> Html {
    // Copy each fresh link once.
    let link = p.share.as_ref().map(|s| s.link.clone());
    use_effect_with(link, {
        let dispatch = p.dispatch.clone();
        move |link| {
            if let Some(link) = link {
                dom::copy_text(link, move |ok| dispatch.emit(Msg::ShareResult(ok)));
            }
        }
    });
    let copied = p.share.as_ref().and_then(|s| s.copied);
    use_effect_with(copied, |copied| {
        if *copied == Some(false) {
            dom::select_input("share-link");
        }
    });
    let open = on_click(&p.dispatch, Msg::Share);
    let close = on_click(&p.dispatch, Msg::CloseShare);
    let select = Callback::from(|_: FocusEvent| dom::select_input("share-link"));
    html! {
        <div class="share">
            <button type="button" onclick={open} aria-keyshortcuts="s" title="Copy a link to this moment (S)">{ "Share" }</button>
            if let Some(s) = &p.share {
                <div class="share-box" role="group" aria-label="Share this run">
                    <p class="share-status" role="status">{
                        match s.copied {
                            None => "Copying…",
                            Some(true) => "Link copied",
                            Some(false) => "Could not copy automatically: select the link and copy it.",
                        }
                    }</p>
                    <input id="share-link" type="text" readonly=true value={s.link.clone()} aria-label="Link to this moment" onfocus={select} />
                    <button type="button" onclick={close}>{ "Done" }</button>
                </div>
            }
        </div>
    }
}
