//! The pop-up menu of a node or message (`role="menu"`): focus moves to its first available
//! item, arrow keys move between items, Escape closes it and returns focus to its owner.
//! It opens beside its owner (see [`super::geometry::beside`]) on the side facing out of the
//! ring, inside the viewport with every item visible; its owner is highlighted and named in its
//! title.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::dom;
use super::el::{El, button};
use super::geometry::{Rect, beside};
use super::store::Msg;

/// One entry of a [`PopupMenu`].
#[derive(Clone, Debug, PartialEq)]
pub struct MenuItem {
    /// Button text (also its accessible name).
    pub label: AttrValue,
    /// What choosing it does.
    pub msg: Msg,
    /// Unavailable items are shown disabled.
    pub enabled: bool,
}

impl MenuItem {
    /// An item.
    pub fn new(label: impl Into<AttrValue>, msg: Msg, enabled: bool) -> Self {
        MenuItem {
            label: label.into(),
            msg,
            enabled,
        }
    }
}

/// Props of [`PopupMenu`].
#[derive(Properties, PartialEq)]
pub struct MenuProps {
    /// What the menu is for, e.g. `Node 3, leader, term 2`.
    pub title: AttrValue,
    /// One more line about it.
    pub detail: AttrValue,
    /// The entries.
    pub items: Vec<MenuItem>,
    /// Element id that gets focus back when the menu is closed without a choice; the menu
    /// opens beside it.
    pub return_to: AttrValue,
    /// Element id that gets focus after a choice (the owner may be gone, e.g. a dropped message).
    pub after: AttrValue,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

const MENU_ID: &str = "popup-menu";

/// The menu.
#[component]
pub fn PopupMenu(p: &MenuProps) -> Html {
    use_effect_with((p.title.clone(), p.return_to.clone()), |(_, owner)| {
        place(owner);
        dom::focus_first(MENU_ID, "[role=menuitem]:not([disabled])")
    });

    let close = {
        let dispatch = p.dispatch.clone();
        let return_to = p.return_to.clone();
        move || {
            dom::focus_id(&return_to);
            dispatch.emit(Msg::CloseMenu);
        }
    };
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Escape" => {
                e.prevent_default();
                e.stop_propagation();
                close();
            }
            "ArrowDown" | "ArrowUp" | "Home" | "End" => {
                e.prevent_default();
                e.stop_propagation();
                move_focus(&e.key());
            }
            _ => {}
        })
    };
    let items = p.items.iter().map(|item| {
        let onclick = {
            let dispatch = p.dispatch.clone();
            let after = p.after.clone();
            let msg = item.msg.clone();
            Callback::from(move |_: MouseEvent| {
                // Move focus before the menu disappears, so keyboard users stay on the ring.
                dom::focus_id(&after);
                dispatch.emit(msg.clone());
            })
        };
        El::new("li").attr("role", "none").child(
            button(onclick)
                .attr("role", "menuitem")
                .flag("disabled", !item.enabled)
                .text(item.label.clone()),
        )
    });
    let on_close = Callback::from(move |_: MouseEvent| close());
    El::new("div")
        .attr("id", MENU_ID)
        .class("menu")
        .on_keydown(onkeydown)
        .on_click(Callback::from(|e: MouseEvent| e.stop_propagation()))
        .child(
            El::new("div")
                .class("menu-head")
                .child(
                    El::new("strong")
                        .attr("id", "popup-menu-title")
                        .text(p.title.clone()),
                )
                .child(
                    button(on_close)
                        .attr("aria-label", "Close menu")
                        .class("menu-close")
                        .text("×"),
                ),
        )
        .child(El::new("p").class("menu-detail").text(p.detail.clone()))
        .child(
            El::new("ul")
                .attr("role", "menu")
                .attr("aria-labelledby", "popup-menu-title")
                .children(items),
        )
        .into()
}

/// Space kept between the menu and the viewport's edges, in CSS pixels.
const MARGIN: f64 = 8.0;

/// The box of an element in viewport pixels.
fn client_rect(el: &web_sys::Element) -> Rect {
    let r = el.get_bounding_client_rect();
    Rect {
        x: r.left(),
        y: r.top(),
        w: r.width(),
        h: r.height(),
    }
}

/// Moves the menu beside the element `owner` (on the side away from the middle of the ring),
/// inside the viewport. The menu is positioned in its offset parent, the ring's box.
fn place(owner: &str) {
    let doc = dom::document();
    let (Some(menu), Some(owner)) = (
        doc.get_element_by_id(MENU_ID)
            .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok()),
        doc.get_element_by_id(owner),
    ) else {
        return;
    };
    let Some(parent) = menu.offset_parent() else {
        return;
    };
    let viewport = doc.document_element().map_or((0.0, 0.0), |root| {
        (root.client_width() as f64, root.client_height() as f64)
    });
    let style = menu.style();
    // At most the viewport's height; taller content scrolls inside the menu.
    let _ = style.set_property(
        "max-height",
        &format!(
            "{}px",
            crate::sim::decimal::shortest(viewport.1 - 2.0 * MARGIN)
        ),
    );
    let anchor = client_rect(&owner);
    let frame = client_rect(&parent);
    let own = client_rect(&menu);
    let toward_right = anchor.x + anchor.w / 2.0 >= frame.x + frame.w / 2.0;
    let (x, y) = beside(anchor, (own.w, own.h), viewport, MARGIN, toward_right);
    let _ = style.set_property(
        "left",
        &format!("{}px", crate::sim::decimal::fixed(x - frame.x, 0)),
    );
    let _ = style.set_property(
        "top",
        &format!("{}px", crate::sim::decimal::fixed(y - frame.y, 0)),
    );
    let _ = style.set_property("transform", "none");
}

/// Moves focus among the menu's enabled items for an arrow, Home or End key.
fn move_focus(key: &str) {
    let Some(menu) = dom::document().get_element_by_id(MENU_ID) else {
        return;
    };
    let items = dom::html_elements(&menu, "[role=menuitem]:not([disabled])");
    if items.is_empty() {
        return;
    }
    let active = dom::document().active_element();
    let current = items.iter().position(|el| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    });
    let last = items.len() - 1;
    let next = match (key, current) {
        ("Home", _) => 0,
        ("End", _) => last,
        ("ArrowDown", Some(i)) => (i + 1) % items.len(),
        ("ArrowUp", Some(i)) => (i + last) % items.len(),
        ("ArrowUp", None) => last,
        _ => 0,
    };
    let _ = items[next].focus();
}
