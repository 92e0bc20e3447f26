//! Sharing a run: the Share button (a permalink to this very moment: scenario, recorded actions
//! and time), "Copy embed code" (an `<iframe>` snippet), and the Files panel: importing an
//! exported trace and saving the current picture as a standalone SVG file. (Saving the trace is
//! [`super::trace_export`].)

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::dom;
use super::el::{El, button};
use super::store::{Msg, ShareState, Store, on_click};

/// Props of [`Share`].
#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// The open share box, if any.
    pub share: Option<ShareState>,
    /// Compact iframe layout (no "Copy embed code" there).
    #[prop_or_default]
    pub embed: bool,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The buttons and their box.
#[component]
pub fn Share(p: &ShareProps) -> Html {
    // Copy each fresh link once (a second click on the same link copies it again).
    let link = p
        .share
        .as_ref()
        .map(|s| (s.link.clone(), s.copied.is_none()));
    use_effect_with(link, {
        let dispatch = p.dispatch.clone();
        move |link| {
            if let Some((link, true)) = link {
                dom::copy_text(link, move |ok| dispatch.emit(Msg::ShareResult(ok)));
            }
        }
    });
    let copied = p.share.as_ref().and_then(|s| s.copied);
    use_effect_with(copied, |copied| {
        if *copied == Some(false) {
            select_text("share-link");
        }
    });
    let open = on_click(&p.dispatch, Msg::Share);
    let code = on_click(&p.dispatch, Msg::EmbedCode);
    let close = on_click(&p.dispatch, Msg::CloseShare);
    let select = Callback::from(|_: FocusEvent| select_text("share-link"));
    let share_box = p.share.as_ref().map(|s| {
        let status = match (s.copied, s.code) {
            (None, _) => "Copying…",
            (Some(true), false) => "Link copied",
            (Some(true), true) => "Embed code copied",
            (Some(false), _) => "Could not copy automatically: select the text and copy it.",
        };
        let field = if s.code {
            El::new("textarea")
                .attr("id", "share-link")
                .attr("rows", "4")
                .value(s.link.clone())
                .attr("aria-label", "Embed code")
                .flag("readonly", true)
        } else {
            El::new("input")
                .attr("id", "share-link")
                .attr("type", "text")
                .value(s.link.clone())
                .attr("aria-label", "Link to this moment")
                .flag("readonly", true)
        };
        El::new("div")
            .attr("role", "group")
            .attr(
                "aria-label",
                if s.code {
                    "Embed this run"
                } else {
                    "Share this run"
                },
            )
            .class("share-box")
            .child(
                El::new("p")
                    .attr("role", "status")
                    .class("share-status")
                    .text(status),
            )
            .child(field.on_focus(select))
            .child(button(close).text("Done"))
    });
    El::new("div")
        .class("share")
        .child(
            button(open)
                .attr("aria-keyshortcuts", "s")
                .attr("title", "Copy a link to this moment (S)")
                .text("Share"),
        )
        .maybe((!p.embed).then(|| {
            button(code)
                .attr(
                    "title",
                    "Copy an <iframe> snippet that shows this run in another page",
                )
                .text("Copy embed code")
        }))
        .maybe(share_box)
        .into()
}

/// Selects the whole text of the input or text area with `id` (the manual-copy fallback).
fn select_text(id: &str) {
    let Some(el) = dom::document().get_element_by_id(id) else {
        return;
    };
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        let _ = input.focus();
        input.select();
    } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        let _ = area.focus();
        area.select();
    }
}

/// The `<iframe>` snippet showing this run (the current link with `embed=1`): lazy, as wide as
/// its column, with a fixed aspect ratio, and titled for screen readers.
pub fn embed_snippet(s: &Store) -> String {
    let src = moment_link(s, !s.playing, true);
    let src = src.replace('&', "&amp;").replace('"', "&quot;");
    let title = s.info.title;
    format!(
        "<iframe src=\"{src}\" title=\"QuorumScope: {title} simulation\" loading=\"lazy\" style=\"width:100%;aspect-ratio:4/5;border:0\"></iframe>"
    )
}

/// The full page's link to this run, at this moment if `at_now` (else from its start, as it is
/// playing): never the compact `embed=1` layout nor an embed's `id`, so that a reader of a blog
/// post who passes the link on gives the whole page.
pub fn full_page_link(s: &Store, at_now: bool) -> String {
    moment_link(s, at_now, false)
}

/// The absolute link to this run (with its recorded actions), at this moment if `at_now`, in
/// the compact layout if `embed`.
fn moment_link(s: &Store, at_now: bool, embed: bool) -> String {
    let (scenario, now) = {
        let lab = s.lab.borrow();
        (lab.scenario(), lab.now())
    };
    let at = at_now.then_some(now);
    dom::absolute_url(&super::url::permalink_query(&scenario, at, embed))
}

/// Inputs of [`files_panel`].
pub struct FilesProps {
    /// File name stem for saved pictures, e.g. `quorumscope-raft-seed7-1.25s`.
    pub stem: String,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The Files panel: import a trace, save the picture. (What an import did is said at the top
/// of the page, see [`super::notices::import_failed`], where the new run is.)
/// (A view function: it is small and its inputs rarely change.)
pub fn files_panel(p: &FilesProps) -> Html {
    let on_file = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|l| l.get(0)) else {
                return;
            };
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            let name = file.name();
            let dispatch = dispatch.clone();
            let ok = Closure::<dyn FnMut(JsValue)>::once(move |text: JsValue| {
                let text = text.as_string().unwrap_or_default();
                dispatch.emit(Msg::ImportTrace { name, text });
            });
            let _ = file.text().then(&ok);
            ok.forget();
        })
    };
    let save = {
        let dispatch = p.dispatch.clone();
        let stem = p.stem.clone();
        Callback::from(move |_: MouseEvent| {
            if save_svg(&stem).is_err() {
                dispatch.emit(Msg::Report(
                    "The picture could not be saved: the browser refused.".into(),
                ));
            }
        })
    };
    El::new("section")
        .attr("aria-labelledby", "files-title")
        .class("panel files")
        .child(El::new("h2").attr("id", "files-title").text("Files"))
        .child(
            El::new("label")
                .class("file")
                .child(El::new("span").text("Import a trace (JSON Lines)"))
                .child(
                    El::new("input")
                        .attr("id", "import-trace")
                        .attr("type", "file")
                        .attr(
                            "accept",
                            ".jsonl,.json,.txt,application/jsonl,application/json,text/plain",
                        )
                        .on_change(on_file),
                ),
        )
        .child(
            El::new("div")
                .class("row")
                .child(button(save).text("Save picture (SVG)")),
        )
        .into()
}

/// Styles copied from the page onto every element of the saved picture, so that it renders the
/// same on its own (no style sheet, CSS variables resolved).
const STYLE_PROPS: [&str; 16] = [
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "display",
    "visibility",
];

/// Saves the ring as `<stem>.svg`: a copy of the drawing with every element's computed style
/// written inline and the page's background behind it.
pub fn save_svg(stem: &str) -> Result<(), JsValue> {
    let doc = dom::document();
    let win = dom::window();
    let svg = doc
        .query_selector("svg.ring")?
        .ok_or_else(|| JsValue::from_str("no ring"))?;
    let copy: web_sys::Element = svg.clone_node_with_deep(true)?.dyn_into()?;
    // Messages in flight are painted on a canvas; their controls in the SVG take the dots'
    // paint while the styles are copied (see `.exporting` in the style sheet).
    let class = svg.get_attribute("class").unwrap_or_default();
    svg.set_attribute("class", &format!("{class} exporting"))?;
    let copied = copy_styles(&svg, &copy);
    svg.set_attribute("class", &class)?;
    copied?;
    // The page's background behind the drawing; interaction-only attributes removed.
    let bg = doc
        .body()
        .and_then(|b| win.get_computed_style(&b).ok().flatten())
        .and_then(|s| s.get_property_value("background-color").ok())
        .unwrap_or_else(|| "#fff".into());
    if let Some(rect) = copy.query_selector("rect.bg")? {
        rect.set_attribute("style", &format!("fill:{bg}"))?;
    }
    for attr in ["class", "role", "tabindex", "aria-label"] {
        copy.remove_attribute(attr)?;
    }
    copy.set_attribute("width", "800")?;
    copy.set_attribute("height", "800")?;
    let text = web_sys::XmlSerializer::new()?.serialize_to_string(&copy)?;
    let text = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}\n");
    dom::download_text(&format!("{stem}.svg"), "image/svg+xml", &text)
}

/// Writes the computed style of `svg` and each element in it inline on the same element of its
/// copy `copy`.
fn copy_styles(svg: &web_sys::Element, copy: &web_sys::Element) -> Result<(), JsValue> {
    let win = dom::window();
    let originals = svg.query_selector_all("*")?;
    let copies = copy.query_selector_all("*")?;
    let inline = |from: &web_sys::Element, to: &web_sys::Element| -> Result<(), JsValue> {
        let Some(style) = win.get_computed_style(from)? else {
            return Ok(());
        };
        let mut text = String::new();
        for prop in STYLE_PROPS {
            let v = style.get_property_value(prop)?;
            if !v.is_empty() {
                text.push_str(prop);
                text.push(':');
                text.push_str(&v);
                text.push(';');
            }
        }
        to.set_attribute("style", &text)
    };
    inline(svg, copy)?;
    for i in 0..originals.length().min(copies.length()) {
        let (Some(a), Some(b)) = (originals.item(i), copies.item(i)) else {
            continue;
        };
        if let (Ok(a), Ok(b)) = (
            a.dyn_into::<web_sys::Element>(),
            b.dyn_into::<web_sys::Element>(),
        ) {
            inline(&a, &b)?;
        }
    }
    Ok(())
}
