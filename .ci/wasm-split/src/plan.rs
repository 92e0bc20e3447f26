//! Which functions stay in the primary module, from their rules and the call graph.

use std::collections::{BTreeMap, BTreeSet};

use walrus::ir::Visitor;
use walrus::{ConstExpr, ElementItems, ExportItem, FunctionId, FunctionKind, GlobalKind, Module};

use crate::rules::{Rule, rules};

/// Collects every function an instruction sequence refers to (calls and `ref.func`).
struct Refs<'a>(&'a mut Vec<FunctionId>);

impl<'instr> Visitor<'instr> for Refs<'_> {
    fn visit_function_id(&mut self, f: &FunctionId) {
        self.0.push(*f);
    }
}

/// Functions of a module in index order (imports first), as parsing numbers them.
pub fn function_ids(m: &Module) -> Vec<FunctionId> {
    m.funcs.iter().map(|f| f.id()).collect()
}

/// Functions the table segments, exports, start and global initialisers of `m` refer to.
fn module_level_refs(m: &Module) -> Vec<FunctionId> {
    let mut refs = Vec::new();
    for e in m.elements.iter() {
        match &e.items {
            ElementItems::Functions(fs) => refs.extend(fs.iter().copied()),
            ElementItems::Expressions(_, exprs) => {
                for x in exprs {
                    if let ConstExpr::RefFunc(f) = x {
                        refs.push(*f);
                    }
                }
            }
        }
    }
    for e in m.exports.iter() {
        if let ExportItem::Function(f) = e.item {
            refs.push(f);
        }
    }
    refs.extend(m.start);
    for g in m.globals.iter() {
        if let GlobalKind::Local(ConstExpr::RefFunc(f)) = g.kind {
            refs.push(f);
        }
    }
    refs
}

/// Where each function goes.
pub struct Plan {
    /// Per function index: stays in the primary module.
    pub primary: Vec<bool>,
    /// Rest functions the primary reaches, in slot order.
    pub boundary: Vec<usize>,
    /// Per function index: what its name said.
    pub rules: Vec<Rule>,
    /// Per function index: its name (as demangled, hashes included; empty for none).
    pub names: Vec<String>,
    /// Per function index: its length in instructions (0 for an import).
    pub sizes: Vec<u64>,
}

pub fn plan(m: &Module) -> Plan {
    let ids = function_ids(m);
    let index: BTreeMap<FunctionId, usize> = ids.iter().enumerate().map(|(i, &f)| (f, i)).collect();
    let pos = |f: FunctionId| index[&f];
    let n = ids.len();
    let mut names = Vec::with_capacity(n);
    let mut sizes = Vec::with_capacity(n);
    let mut callees: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut local = Vec::with_capacity(n);
    for &id in &ids {
        let f = m.funcs.get(id);
        let mut refs = Vec::new();
        names.push(f.name.clone().unwrap_or_default());
        if let FunctionKind::Local(l) = &f.kind {
            walrus::ir::dfs_in_order(&mut Refs(&mut refs), l, l.entry_block());
            sizes.push(l.size());
        } else {
            sizes.push(0);
        }
        local.push(matches!(f.kind, FunctionKind::Local(_)));
        callees.push(refs.into_iter().map(pos).collect());
    }
    let rules = rules(&names, &sizes);

    // Everything the first page's entries into other protocols reach stays, whatever its name.
    let mut needed = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&i| rules[i] == Rule::FirstPage).collect();
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut needed[i], true) {
            stack.extend(callees[i].iter().copied());
        }
    }
    let is_rest = |i: usize| rules[i] == Rule::Rest && !needed[i];

    // The primary: imports, and what the module's roots reach without entering the rest.
    let roots: Vec<usize> = module_level_refs(m).into_iter().map(pos).collect();
    let mut primary = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&i| !local[i] || needed[i]).collect();
    stack.extend(roots.iter().copied().filter(|&i| !is_rest(i)));
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut primary[i], true) {
            stack.extend(callees[i].iter().copied().filter(|&c| !is_rest(c)));
        }
    }

    let mut boundary = BTreeSet::new();
    for i in (0..n).filter(|&i| primary[i]) {
        boundary.extend(callees[i].iter().copied().filter(|&c| !primary[c]));
    }
    boundary.extend(roots.into_iter().filter(|&i| !primary[i]));
    Plan {
        primary,
        boundary: boundary.into_iter().collect(),
        rules,
        names,
        sizes,
    }
}
