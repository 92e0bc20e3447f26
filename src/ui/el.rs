//! Elements built by a few small functions instead of `html!`'s inline code.
//!
//! Yew's `html!` expands every element at its call site: the tag, a node reference, a key, a
//! boxed array of attribute values (each converted where it stands), a boxed array of listeners
//! and the child list, about half a kilobyte of wasm per element. The page draws a few hundred
//! elements, so that code was the biggest part of the first load. [`El`] builds the same
//! element through calls that are compiled once, so an element costs a call per attribute or
//! child where it is written:
//!
//! ```ignore
//! El::new("circle")
//!     .class("halo")
//!     .attr("cx", f(cx))
//!     .attr("r", f(r + 3.5))
//!     .into()
//! ```
//!
//! builds what `html! { <circle class="halo" cx={f(cx)} r={f(r + 3.5)} /> }` builds. Attribute
//! values follow `html!`'s rules (an `Option` that is `None`, or an empty [`Classes`](yew::Classes), leaves
//! the attribute out); an optional child holds its place when absent, as `html!`'s `if` does, so
//! the siblings after it are compared with the same siblings on the next render. The element's
//! attributes are set in the order `html!` sets them: the others as written, then the boolean
//! ones ([`El::flag`]), then the class. They are stored as `html!` stores them (yew's
//! `Attributes::Dynamic`: a list of names and one of values, an absent one keeping its place),
//! with one list of names per place in the code (see `interned`), so that a new render
//! compares values only.
//!
//! Components are drawn with [`component`], from their properties struct. The page's views use
//! these rather than `html!`, whose code per element is what this module exists to avoid.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use yew::html::{BaseComponent, IntoPropValue};
use yew::virtual_dom::{
    AttrValue, AttributeOrProperty, Attributes, Key, Listener, VChild, VTag, VText,
};
use yew::{
    Callback, Event, FocusEvent, Html, InputEvent, KeyboardEvent, MouseEvent, NodeRef,
    PointerEvent, SubmitEvent,
};

/// An element being built; becomes [`Html`] with `.into()` or as another element's child.
/// (Boxed so that each step moves one pointer rather than the whole element.)
pub struct El(Box<Building>);

/// What [`El`] holds.
struct Building {
    /// The element.
    tag: VTag,
    /// The attributes' names, in the order they are set.
    names: Vec<&'static str>,
    /// Their values (`None`: left out, its place kept, as `html!` keeps it).
    values: Vec<Option<AttributeOrProperty>>,
    /// Its class, added last (see [`El::class`]).
    class: Option<AttrValue>,
}

impl El {
    /// An element named `tag` (`"g"`, `"circle"`, `"li"` …); HTML or SVG follows from where it
    /// is placed, as with `html!`.
    #[inline(never)]
    pub fn new(tag: &'static str) -> El {
        El(Box::new(Building {
            tag: VTag::new(AttrValue::Static(tag)),
            // Room for most elements' attributes and the class, allocated once.
            names: Vec::with_capacity(6),
            values: Vec::with_capacity(6),
            class: None,
        }))
    }

    /// Sets attribute `key` to `value` (text, a number's text…); `None` leaves it out. (The
    /// class goes through [`El::class`].)
    #[inline(never)]
    pub fn attr(self, key: &'static str, value: impl IntoPropValue<Option<AttrValue>>) -> El {
        self.set(key, value.into_prop_value())
    }

    /// Sets a boolean attribute (`disabled`, `hidden` …): present, with its own name as the
    /// value, when `on`; absent otherwise. (`html!` sets these after the other attributes:
    /// write them after the others.)
    #[inline(never)]
    pub fn flag(self, key: &'static str, on: bool) -> El {
        self.set(key, on.then_some(AttrValue::Static(key)))
    }

    /// Sets the class: a name, several names in one text, or [`Classes`](yew::Classes) (`classes!`); `None`
    /// or an empty [`Classes`](yew::Classes) leaves it out. It is added after the other attributes, where
    /// `html!` puts it.
    #[inline(never)]
    pub fn class(mut self, class: impl IntoPropValue<Option<AttrValue>>) -> El {
        self.0.class = class.into_prop_value();
        self
    }

    /// The one place an attribute is stored.
    #[inline(never)]
    fn set(mut self, key: &'static str, value: Option<AttrValue>) -> El {
        self.0.names.push(key);
        self.0
            .values
            .push(value.map(AttributeOrProperty::Attribute));
        self
    }

    /// The value of an `input` or `textarea` (set as the element's property, as `html!` does,
    /// so that it follows the page rather than only the first render). Other elements (an
    /// `option`) take `value` as an ordinary attribute, with [`El::attr`].
    /// `None` leaves the field's value to the visitor.
    #[inline(never)]
    pub fn value(mut self, value: impl IntoPropValue<Option<AttrValue>>) -> El {
        self.0.tag.set_value(value);
        self
    }

    /// Whether a checkbox is ticked (set as the element's property at every render, as
    /// `html!` does).
    #[inline(never)]
    pub fn checked(mut self, checked: bool) -> El {
        self.0.tag.set_checked(checked);
        self
    }

    /// The key that tells this element apart among its keyed siblings.
    #[inline(never)]
    pub fn key(mut self, key: impl Into<Key>) -> El {
        self.0.tag.key = Some(key.into());
        self
    }

    /// A reference to the element once it is in the page.
    #[inline(never)]
    pub fn node_ref(mut self, node_ref: NodeRef) -> El {
        self.0.tag.node_ref = node_ref;
        self
    }

    /// Appends text (a `&'static str` is used as it is, without a copy).
    #[inline(never)]
    pub fn text(self, text: impl Into<AttrValue>) -> El {
        self.push(VText::new(text).into())
    }

    /// Appends a child: another element, [`Html`] (a component, a list), or text.
    #[inline(never)]
    pub fn child(self, child: impl Into<Html>) -> El {
        self.push(child.into())
    }

    /// Appends a child that may be absent; an absent one keeps its place (an empty list), as
    /// `html!`'s `if` does.
    #[inline(never)]
    pub fn maybe(self, child: Option<impl Into<Html>>) -> El {
        self.push(optional(child))
    }

    /// Appends every child `children` yields, each a child of its own (`{ for … }` in
    /// `html!`): keyed children stay keyed among their siblings.
    pub fn children<C: Into<Html>>(mut self, children: impl IntoIterator<Item = C>) -> El {
        self.0
            .tag
            .add_children(children.into_iter().map(Into::into));
        self
    }

    /// The one place a child is added.
    #[inline(never)]
    fn push(mut self, child: Html) -> El {
        self.0.tag.add_child(child);
        self
    }

    /// Listens to clicks.
    #[inline(never)]
    pub fn on_click(self, callback: Callback<MouseEvent>) -> El {
        self.listen(Rc::new(yew::html::onclick::Wrapper::new(callback)))
    }

    /// Listens to input (each change of a field or slider as it happens).
    #[inline(never)]
    pub fn on_input(self, callback: Callback<InputEvent>) -> El {
        self.listen(Rc::new(yew::html::oninput::Wrapper::new(callback)))
    }

    /// Listens to committed changes (a select's choice, a checkbox, a file chosen).
    #[inline(never)]
    pub fn on_change(self, callback: Callback<Event>) -> El {
        self.listen(Rc::new(yew::html::onchange::Wrapper::new(callback)))
    }

    /// Listens to the element taking focus.
    #[inline(never)]
    pub fn on_focus(self, callback: Callback<FocusEvent>) -> El {
        self.listen(Rc::new(yew::html::onfocus::Wrapper::new(callback)))
    }

    /// Listens to focus leaving the element.
    #[inline(never)]
    pub fn on_blur(self, callback: Callback<FocusEvent>) -> El {
        self.listen(Rc::new(yew::html::onblur::Wrapper::new(callback)))
    }

    /// Listens to a form being submitted.
    #[inline(never)]
    pub fn on_submit(self, callback: Callback<SubmitEvent>) -> El {
        self.listen(Rc::new(yew::html::onsubmit::Wrapper::new(callback)))
    }

    /// Listens to key presses.
    #[inline(never)]
    pub fn on_keydown(self, callback: Callback<KeyboardEvent>) -> El {
        self.listen(Rc::new(yew::html::onkeydown::Wrapper::new(callback)))
    }

    /// Listens to pointer presses.
    #[inline(never)]
    pub fn on_pointerdown(self, callback: Callback<PointerEvent>) -> El {
        self.listen(Rc::new(yew::html::onpointerdown::Wrapper::new(callback)))
    }

    /// Listens to pointer moves.
    #[inline(never)]
    pub fn on_pointermove(self, callback: Callback<PointerEvent>) -> El {
        self.listen(Rc::new(yew::html::onpointermove::Wrapper::new(callback)))
    }

    /// Listens to pointer releases.
    #[inline(never)]
    pub fn on_pointerup(self, callback: Callback<PointerEvent>) -> El {
        self.listen(Rc::new(yew::html::onpointerup::Wrapper::new(callback)))
    }

    /// Listens to cancelled pointers.
    #[inline(never)]
    pub fn on_pointercancel(self, callback: Callback<PointerEvent>) -> El {
        self.listen(Rc::new(yew::html::onpointercancel::Wrapper::new(callback)))
    }

    /// The one place a listener is added.
    #[inline(never)]
    fn listen(mut self, listener: Rc<dyn Listener>) -> El {
        self.0.tag.add_listener(listener);
        self
    }
}

impl From<El> for Html {
    #[inline(never)]
    fn from(el: El) -> Html {
        let Building {
            mut tag,
            mut names,
            mut values,
            class,
        } = *el.0;
        names.push("class");
        values.push(class.map(AttributeOrProperty::Attribute));
        tag.set_attributes(Attributes::Dynamic {
            keys: interned(&names),
            values: values.into_boxed_slice(),
        });
        Html::VTag(Rc::new(tag))
    }
}

/// The one copy of the attribute-name list `names`, kept for the page's lifetime: an element
/// built at the same place names the same attributes in the same order at every render, so it
/// gets the same list, and yew then compares its attributes' values only (its fast path for
/// `html!`'s elements), without looking names up. The lists are as many as the places in the
/// code that build elements, each a few names long.
fn interned(names: &[&'static str]) -> &'static [&'static str] {
    thread_local! {
        static LISTS: RefCell<HashSet<&'static [&'static str]>> = RefCell::default();
    }
    LISTS.with_borrow_mut(|lists| match lists.get(names) {
        Some(list) => list,
        None => {
            let list: &'static [&'static str] = Box::leak(names.into());
            lists.insert(list);
            list
        }
    })
}

/// A button that acts on the page when clicked (`type="button"`: it never submits a form).
#[inline(never)]
pub fn button(onclick: Callback<MouseEvent>) -> El {
    El::new("button").attr("type", "button").on_click(onclick)
}

/// A decorative icon: one path `d` in a `view_box`, drawn `size` pixels square and hidden from
/// assistive technology (what it stands for is said by the control around it).
#[inline(never)]
pub fn icon(view_box: &'static str, size: &'static str, d: impl Into<AttrValue>) -> El {
    El::new("svg")
        .attr("viewBox", view_box)
        .attr("width", size)
        .attr("height", size)
        .attr("aria-hidden", "true")
        .attr("focusable", "false")
        .class("ic")
        .child(El::new("path").attr("d", d.into()))
}

/// Component `C` with its properties `props`, told apart from keyed siblings by `key`: what
/// `html! { <C … /> }` builds, without the macro's property builder (which holds each property
/// in an `Option` and unwraps it again, in code at every place a component is drawn).
pub fn component<C: BaseComponent>(key: Option<Key>, props: C::Properties) -> Html {
    VChild::<C>::new(props, key).into()
}

/// A node that may be absent: when it is, an empty list holds its place (as `html!`'s `if`
/// does), so that the siblings after it keep theirs.
pub fn optional(node: Option<impl Into<Html>>) -> Html {
    node.map(Into::into).unwrap_or_default()
}

/// Siblings without an element around them (`<>…</>` in `html!`).
#[inline(never)]
pub fn fragment(children: Vec<Html>) -> Html {
    Html::from_iter(children)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;
    use yew::{classes, html};

    /// What the page would build from `node`, as text: elements with their key, attributes in
    /// the order they are set, value and checked state, and children, with lists flattened (an
    /// empty list, a placeholder, shows as `∅`).
    fn shape(node: &Html) -> String {
        let mut out = String::new();
        write(node, &mut out);
        out
    }

    fn write(node: &Html, out: &mut String) {
        match node {
            Html::VTag(tag) => {
                out.push('<');
                out.push_str(tag.tag());
                if let Some(key) = &tag.key {
                    out.push_str(&format!(" key={key}"));
                }
                for (k, v) in tag.attributes.iter() {
                    out.push_str(&format!(" {k}={v:?}"));
                }
                if let Some(value) = tag.value() {
                    out.push_str(&format!(" .value={:?}", value.as_str()));
                }
                if let Some(checked) = tag.checked() {
                    out.push_str(&format!(" .checked={checked}"));
                }
                out.push('>');
                match tag.children() {
                    Some(Html::VList(list)) if list.is_empty() => {} // no children
                    Some(children) => write_children(children, out),
                    None => {}
                }
                out.push_str("</>");
            }
            Html::VText(text) => out.push_str(&format!("{:?}", text.text.as_str())),
            Html::VList(_) => write_children(node, out),
            other => out.push_str(&format!("{other:?}")),
        }
    }

    fn write_children(node: &Html, out: &mut String) {
        match node {
            Html::VList(list) if list.is_empty() => out.push('∅'),
            Html::VList(list) => list.iter().for_each(|child| write_children(child, out)),
            other => write(other, out),
        }
    }

    #[wasm_bindgen_test]
    fn an_element_with_attributes_class_and_key_is_what_html_builds() {
        let (cx, open) = ("12.5".to_string(), false);
        let built: Html = El::new("g")
            .key(3_u32)
            .class(classes!("node", open.then_some("open"), "e1"))
            .attr("id", format!("node-{}", 3))
            .attr("role", "button")
            .attr("aria-expanded", open.then_some("true"))
            .attr("aria-pressed", Some("false"))
            .child(El::new("circle").class("body").attr("cx", cx.clone()))
            .text("3 · leader")
            .into();
        let expected = html! {
            <g key={3_u32} class={classes!("node", open.then_some("open"), "e1")} id={format!("node-{}", 3)}
                role="button" aria-expanded={open.then_some("true")} aria-pressed={Some("false")}>
                <circle class="body" cx={cx} />
                { "3 · leader" }
            </g>
        };
        assert_eq!(shape(&built), shape(&expected));
        assert_eq!(
            shape(&built),
            r#"<g key=3 id="node-3" role="button" aria-pressed="false" class="node e1"><circle cx="12.5" class="body"></>"3 · leader"</>"#
        );
    }

    #[wasm_bindgen_test]
    fn fields_flags_and_options_are_what_html_builds() {
        let on = true;
        let built: Html = El::new("label")
            .child(
                El::new("input")
                    .attr("type", "checkbox")
                    .value("2")
                    .checked(on),
            )
            .child(
                El::new("select").child(
                    El::new("option")
                        .attr("value", "raft")
                        .flag("selected", on)
                        .text("Raft"),
                ),
            )
            .child(button(Callback::noop()).flag("disabled", !on).text("Go"))
            .into();
        let expected = html! {
            <label>
                <input type="checkbox" value="2" checked={on} />
                <select><option value="raft" selected={on}>{ "Raft" }</option></select>
                <button type="button" onclick={Callback::noop()} disabled={!on}>{ "Go" }</button>
            </label>
        };
        assert_eq!(shape(&built), shape(&expected));
    }

    #[wasm_bindgen_test]
    fn an_element_drawn_again_names_its_attributes_with_the_same_list() {
        // yew compares the attributes of two renders value by value, without looking names up,
        // only when both name them with the very same list.
        let draw = |cx: f64, open: bool| -> Html {
            El::new("circle")
                .attr("cx", cx.to_string())
                .attr("aria-expanded", open.then_some("true"))
                .class("body")
                .into()
        };
        let names = |node: &Html| match node {
            Html::VTag(tag) => match &tag.attributes {
                Attributes::Dynamic { keys, .. } => *keys as *const [&str],
                other => panic!("attributes built as {other:?}"),
            },
            other => panic!("not an element: {other:?}"),
        };
        let (first, again) = (draw(1.0, false), draw(2.5, true));
        assert!(std::ptr::eq(names(&first), names(&again)));
        assert_eq!(
            shape(&again),
            r#"<circle cx="2.5" aria-expanded="true" class="body"></>"#
        );
    }

    #[wasm_bindgen_test]
    fn absent_children_hold_their_place_and_listed_ones_stay_keyed() {
        let ids = [1_u32, 2];
        let built: Html = El::new("ul")
            .maybe(None::<El>)
            .children(
                ids.iter()
                    .map(|id| El::new("li").key(*id).text(id.to_string())),
            )
            .maybe(Some(El::new("li").text("last")))
            .into();
        let expected = html! {
            <ul>
                if false { <li /> }
                { for ids.iter().map(|id| html! { <li key={*id}>{ id.to_string() }</li> }) }
                if true { <li>{ "last" }</li> }
            </ul>
        };
        assert_eq!(shape(&built), shape(&expected));
        assert_eq!(
            shape(&built),
            r#"<ul>∅<li key=1>"1"</><li key=2>"2"</><li>"last"</></>"#
        );
    }
}
