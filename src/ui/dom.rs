//! Thin helpers over `web-sys` for the few things the page does outside Yew's tree.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The browser window.
pub fn window() -> web_sys::Window {
    web_sys::window().expect("running in a browser window")
}

/// The page's document.
pub fn document() -> web_sys::Document {
    window().document().expect("the window has a document")
}

/// The current query string without the leading `?`.
pub fn location_query() -> String {
    let search = window().location().search().unwrap_or_default();
    search.strip_prefix('?').unwrap_or(&search).to_string()
}

/// Replaces the current history entry's query (keeps the path), so a reload replays this run.
pub fn replace_query(query: &str) {
    let loc = window().location();
    let path = loc.pathname().unwrap_or_default();
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The page's absolute URL with `query` in place of the current one.
pub fn absolute_url(query: &str) -> String {
    let loc = window().location();
    let origin = loc.origin().unwrap_or_default();
    let path = loc.pathname().unwrap_or_default();
    if query.is_empty() {
        format!("{origin}{path}")
    } else {
        format!("{origin}{path}?{query}")
    }
}

/// Whether a CSS media query currently matches.
pub fn media_matches(query: &str) -> bool {
    window()
        .match_media(query)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Scrolls the element with `id` into view if it is not (`scrollIntoView({block: "nearest"})`).
pub fn scroll_into_view_nearest(id: &str) {
    let Some(el) = document().get_element_by_id(id) else {
        return;
    };
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"block".into(), &"nearest".into());
    if let Ok(f) = js_sys::Reflect::get(&el, &"scrollIntoView".into())
        && let Some(f) = f.dyn_ref::<js_sys::Function>()
    {
        let _ = f.call1(&el, &opts);
    }
}

/// Moves keyboard focus to the element with `id` (HTML or SVG), if it exists.
pub fn focus_id(id: &str) -> bool {
    document()
        .get_element_by_id(id)
        .is_some_and(|el| focus(&el))
}

/// Focuses an HTML or SVG element; false if it cannot take focus.
pub fn focus(el: &web_sys::Element) -> bool {
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        h.focus().is_ok()
    } else if let Some(s) = el.dyn_ref::<web_sys::SvgElement>() {
        s.focus().is_ok()
    } else {
        false
    }
}

/// Focuses the first element matching `selector` inside the element with `id`.
pub fn focus_first(id: &str, selector: &str) {
    if let Some(el) = document().get_element_by_id(id)
        && let Ok(Some(b)) = el.query_selector(selector)
        && let Some(h) = b.dyn_ref::<web_sys::HtmlElement>()
    {
        let _ = h.focus();
    }
}

/// Copies `text` to the clipboard; calls `done(true)` on success and `done(false)` on failure
/// (no clipboard API, permission refused, …).
pub fn copy_text(text: &str, done: impl FnOnce(bool) + 'static) {
    let clipboard = window().navigator().clipboard();
    // `navigator.clipboard` is undefined outside secure contexts.
    if JsValue::from(clipboard.clone()).is_undefined() {
        done(false);
        return;
    }
    let promise = clipboard.write_text(text);
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let ok = {
        let done = done.clone();
        Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
            if let Some(f) = done.borrow_mut().take() {
                f(true)
            }
        })
    };
    let fail = Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
        if let Some(f) = done.borrow_mut().take() {
            f(false)
        }
    });
    let _ = promise.then2(&ok, &fail);
    // Exactly one of them runs, once; both are tiny, so leave them to the JS side.
    ok.forget();
    fail.forget();
}

/// Offers `text` as a file download named `name`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    download_blob(name, &blob)
}

/// Offers `blob` as a file download named `name`.
pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let a: web_sys::HtmlAnchorElement = document().create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoke later: the download reads the blob asynchronously.
    gloo_timers::callback::Timeout::new(30_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Selects the whole text of the input with `id` (the manual-copy fallback).
pub fn select_input(id: &str) {
    if let Some(el) = document().get_element_by_id(id)
        && let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>()
    {
        let _ = input.focus();
        input.select();
    }
}

/// The HTML elements inside `root` that match `selector`, in document order (for moving focus
/// among them).
pub fn html_elements(root: &web_sys::Element, selector: &str) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}
