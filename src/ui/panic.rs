//! The panic hook: a Rust panic in the page shows a visible error panel instead of a frozen
//! animation, and is logged with `console.error`.
//!
//! The panel is written with plain DOM calls (not through Yew), because after a panic the
//! component tree can no longer be trusted. Test it with the `?debug=panic` URL parameter.

use std::cell::Cell;

use wasm_bindgen::JsValue;

thread_local! {
    static PANICKED: Cell<bool> = const { Cell::new(false) };
}

/// Whether a panic has happened; the animation loop stops when it has.
pub fn panicked() -> bool {
    PANICKED.with(Cell::get)
}

/// Installs the hook (through Yew, so its renderer keeps it).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&format!("QuorumScope panicked: {msg}")));
        if !PANICKED.with(|p| p.replace(true)) {
            show_panel(&msg);
        }
    }));
}

/// Writes the error panel (`role="alert"`) at the top of the page body.
fn show_panel(msg: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else {
        return;
    };
    let Ok(panel) = doc.create_element("section") else {
        return;
    };
    panel.set_id("panic-panel");
    panel.set_class_name("panic-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("aria-labelledby", "panic-title");
    if let Ok(h) = doc.create_element("h2") {
        h.set_id("panic-title");
        h.set_text_content(Some("QuorumScope stopped because of an internal error"));
        let _ = panel.append_child(&h);
    }
    if let Ok(p) = doc.create_element("p") {
        p.set_text_content(Some("The simulation cannot continue. Reload the page to start again; the link keeps your run."));
        let _ = panel.append_child(&p);
    }
    if let Ok(pre) = doc.create_element("pre") {
        pre.set_text_content(Some(msg));
        let _ = panel.append_child(&pre);
    }
    let _ = body.insert_before(&panel, body.first_child().as_ref());
}
