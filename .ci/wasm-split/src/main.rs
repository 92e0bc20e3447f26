//! Splits QuorumScope's release wasm in two: the code the first page needs, and the rest,
//! fetched the first time the page calls into it.
//!
//! `wasm-split IN.wasm PRIMARY.wasm REST.wasm [REPORT.txt]`
//!
//! The first page runs the default protocol (Raft) with the engine and the whole page; the other
//! protocols and the page parts only they show (the history view and its linearizability
//! checker, the trade-off panel) are code a visitor who stays on the first page never runs.
//! Which functions are "the rest" is decided by their names (see [`rules::Rule`]), then grown to every
//! function only the rest can reach.
//!
//! The split works as binaryen's `wasm-split` does (which binaryen's npm package does not ship):
//! - in the primary module each function of the rest that the primary can reach (by a call, an
//!   export or a table entry) keeps its index but its body becomes a stub: make sure the rest is
//!   loaded (one shared check of a global; if not, call the JS import `~.l`, which loads it
//!   synchronously), then call the real function through a new slot of the function table;
//! - the rest module imports the primary's memory, tables, globals and the functions it calls
//!   (the primary exports them under `~…` names), fills those table slots with an active
//!   element segment, and sets the "loaded" global in its start function.
//!
//! Every rest function is reached only through a stub, so the program behaves exactly as before
//! whether the rest was fetched early or on the first call: only the timing of the download
//! moves. The report lists what went where, for tuning the rules.
use std::collections::BTreeSet;
use std::fmt::Write as _;

use walrus::ir::{UnaryOp, Value};
use walrus::{
    ConstExpr, ElementItems, ElementKind, ExportItem, FunctionBuilder, FunctionId, FunctionKind,
    GlobalKind, ImportId, ImportKind, ImportedFunction, Module, ModuleConfig, TableId, ValType,
};

mod plan;
mod rules;

use plan::{Plan, function_ids, plan};
use rules::plain_name;
/// The primary's export name for the rest's import of function (`f`), global (`g`), memory
/// (`m`) or table (`t`) number `i`: `~` keeps them apart from the glue's own names.
fn link_name(kind: char, i: usize) -> String {
    format!("~{kind}{i:x}")
}

/// The global that says whether the rest is loaded (the primary's, set by the rest's start).
const LOADED: &str = "~loaded";

/// Both modules are written without names (they were only needed to decide the split).
fn config() -> ModuleConfig {
    let mut c = ModuleConfig::new();
    c.generate_name_section(false)
        .generate_producers_section(false);
    c
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: wasm-split IN.wasm PRIMARY.wasm REST.wasm [REPORT.txt]");
        std::process::exit(2);
    }
    if let Err(e) = run(&args[0], &args[1], &args[2], args.get(3)) {
        eprintln!("wasm-split: {e:#}");
        std::process::exit(1);
    }
}

fn run(
    input: &str,
    primary_out: &str,
    rest_out: &str,
    report_out: Option<&String>,
) -> walrus::Result<()> {
    let bytes = std::fs::read(input)?;
    // Two copies of one module: parsing numbers functions, globals, memories and tables the
    // same way in both, so an index names the same item in either.
    let mut primary = Module::from_buffer_with_config(&bytes, &config())?;
    let mut rest = Module::from_buffer_with_config(&bytes, &config())?;
    let plan = plan(&primary);
    let table = primary
        .tables
        .main_function_table()?
        .ok_or_else(|| anyhow::anyhow!("no function table"))?;
    // The stubs' slots follow the table's entries.
    let base = primary.tables.get(table).initial;

    let needs = make_rest(&mut rest, &plan, base)?;
    make_primary(&mut primary, &plan, table, base, &needs)?;
    std::fs::write(primary_out, primary.emit_wasm())?;
    std::fs::write(rest_out, rest.emit_wasm())?;
    if let Some(path) = report_out {
        std::fs::write(path, report(&plan) + &format!("links: {}\n", needs.len()))?;
    }
    Ok(())
}

/// Makes `import` (or, without one, a new import of `kind`) an import of `name` from the
/// primary module.
fn from_primary(
    m: &mut Module,
    import: Option<ImportId>,
    name: String,
    kind: ImportKind,
) -> ImportId {
    let import = import.unwrap_or_else(|| m.imports.add("~", &name, kind));
    let imp = m.imports.get_mut(import);
    imp.module = "~".into();
    imp.name = name;
    import
}

/// Turns the module into the rest: its own functions are those of the rest; everything else
/// (functions, globals, memories, tables) is imported from the primary, which has the data and
/// the table entries. Returns the names it imports, which the primary must export.
fn make_rest(m: &mut Module, plan: &Plan, base: u64) -> walrus::Result<Vec<String>> {
    let globals: Vec<_> = m.globals.iter().map(|g| g.id()).collect();
    for (j, g) in globals.into_iter().enumerate() {
        let existing = match m.globals.get(g).kind {
            GlobalKind::Import(i) => Some(i),
            GlobalKind::Local(_) => None,
        };
        let import = from_primary(m, existing, link_name('g', j), ImportKind::Global(g));
        m.globals.get_mut(g).kind = GlobalKind::Import(import);
    }
    let memories: Vec<_> = m.memories.iter().map(|m| m.id()).collect();
    for (j, mem) in memories.into_iter().enumerate() {
        let existing = m.memories.get(mem).import;
        let import = from_primary(m, existing, link_name('m', j), ImportKind::Memory(mem));
        let memory = m.memories.get_mut(mem);
        memory.import = Some(import);
        memory.initial = 0;
        memory.data_segments = Default::default();
    }
    let tables: Vec<_> = m.tables.iter().map(|t| t.id()).collect();
    for (j, t) in tables.into_iter().enumerate() {
        let existing = m.tables.get(t).import;
        let import = from_primary(m, existing, link_name('t', j), ImportKind::Table(t));
        // Any size will do: the primary's tables grow while the program runs.
        let table = m.tables.get_mut(t);
        table.import = Some(import);
        table.initial = 0;
        table.maximum = None;
        table.elem_segments = Default::default();
    }
    let ids = function_ids(m);
    for (i, &f) in ids.iter().enumerate().filter(|&(i, _)| plan.primary[i]) {
        let ty = m.funcs.get(f).ty();
        let existing = match &m.funcs.get(f).kind {
            FunctionKind::Import(imported) => Some(imported.import),
            _ => None,
        };
        let import = from_primary(m, existing, link_name('f', i), ImportKind::Function(f));
        m.funcs.get_mut(f).kind = FunctionKind::Import(ImportedFunction { import, ty });
    }
    let data: Vec<_> = m.data.iter().map(|d| d.id()).collect();
    data.into_iter().for_each(|d| m.data.delete(d));
    let elements: Vec<_> = m.elements.iter().map(|e| e.id()).collect();
    elements.into_iter().for_each(|e| m.elements.delete(e));
    let exports: Vec<_> = m.exports.iter().map(|e| e.id()).collect();
    exports.into_iter().for_each(|e| m.exports.delete(e));

    // The slots the primary's stubs call through, and the start that says they are filled.
    let table = m.tables.main_function_table()?.expect("the same module");
    let slots = plan.boundary.iter().map(|&i| ids[i]).collect();
    let segment = m.elements.add(
        ElementKind::Active {
            table,
            offset: ConstExpr::Value(Value::I32(base as i32)),
        },
        ElementItems::Functions(slots),
    );
    m.tables.get_mut(table).elem_segments.insert(segment);
    let (loaded, _) = m.add_import_global("~", LOADED, ValType::I32, true, false);
    let mut start = FunctionBuilder::new(&mut m.types, &[], &[]);
    start.func_body().i32_const(1).global_set(loaded);
    m.start = Some(start.finish(vec![], &mut m.funcs));
    walrus::passes::gc::run(m);
    let mut needs = Vec::new();
    for import in m.imports.iter() {
        if import.module != "~" {
            anyhow::bail!(
                "the rest imports {}.{}, not from the primary",
                import.module,
                import.name
            );
        }
        needs.push(import.name.clone());
    }
    Ok(needs)
}

/// Replaces function `f`'s body with the one `body` writes (given the parameters' locals).
fn replace_body(
    m: &mut Module,
    f: FunctionId,
    body: impl FnOnce(&mut walrus::InstrSeqBuilder, &[walrus::LocalId]),
) {
    let ty = m.funcs.get(f).ty();
    let (params, results) = {
        let t = m.types.get(ty);
        (t.params().to_vec(), t.results().to_vec())
    };
    let mut builder = FunctionBuilder::new(&mut m.types, &params, &results);
    let locals: Vec<_> = params.iter().map(|&p| m.locals.add(p)).collect();
    body(&mut builder.func_body(), &locals);
    m.funcs.get_mut(f).kind = FunctionKind::Local(builder.local_func(locals));
}

/// Turns the module into the primary: the rest's functions it reaches become stubs, the others
/// go, the function table grows by the stubs' slots, and everything the rest imports is
/// exported.
fn make_primary(
    m: &mut Module,
    plan: &Plan,
    table: TableId,
    base: u64,
    needs: &[String],
) -> walrus::Result<()> {
    let ids = function_ids(m);
    let loaded = m
        .globals
        .add_local(ValType::I32, true, false, ConstExpr::Value(Value::I32(0)));
    // ensure(slot): load the rest unless loaded (the slot says which stub asked, for tests).
    let load_ty = m.types.add(&[ValType::I32], &[]);
    let (load, _) = m.add_import_func("~", "l", load_ty);
    let mut ensure = FunctionBuilder::new(&mut m.types, &[ValType::I32], &[]);
    let slot = m.locals.add(ValType::I32);
    ensure
        .func_body()
        .global_get(loaded)
        .unop(UnaryOp::I32Eqz)
        .if_else(
            None,
            |then| {
                then.local_get(slot).call(load);
            },
            |_| {},
        );
    let ensure = ensure.finish(vec![slot], &mut m.funcs);
    let t = m.tables.get_mut(table);
    t.initial += plan.boundary.len() as u64;
    if let Some(max) = t.maximum.as_mut() {
        *max = (*max).max(t.initial);
    }
    let boundary: BTreeSet<usize> = plan.boundary.iter().copied().collect();
    for (k, &i) in plan.boundary.iter().enumerate() {
        let ty = m.funcs.get(ids[i]).ty();
        replace_body(m, ids[i], |body, params| {
            body.i32_const(k as i32).call(ensure);
            for &p in params {
                body.local_get(p);
            }
            body.i32_const((base as usize + k) as i32)
                .call_indirect(ty, table);
        });
    }
    // Unreachable once the stubs are in: the garbage collection below removes them.
    for (i, &f) in ids.iter().enumerate() {
        if !plan.primary[i] && !boundary.contains(&i) {
            replace_body(m, f, |body, _| {
                body.unreachable();
            });
        }
    }
    let globals: Vec<_> = m.globals.iter().map(|g| g.id()).collect();
    let memories: Vec<_> = m.memories.iter().map(|m| m.id()).collect();
    let tables: Vec<_> = m.tables.iter().map(|t| t.id()).collect();
    for name in needs {
        let item = if name == LOADED {
            ExportItem::Global(loaded)
        } else {
            let index = usize::from_str_radix(&name[2..], 16)?;
            match name.as_bytes()[1] {
                b'f' => ExportItem::Function(ids[index]),
                b'g' => ExportItem::Global(globals[index]),
                b'm' => ExportItem::Memory(memories[index]),
                b't' => ExportItem::Table(tables[index]),
                _ => unreachable!("names come from link_name"),
            }
        };
        m.exports.add(name, item);
    }
    walrus::passes::gc::run(m);
    let live: BTreeSet<FunctionId> = m.funcs.iter().map(|f| f.id()).collect();
    let left = (0..ids.len())
        .filter(|&i| !plan.primary[i] && !boundary.contains(&i) && live.contains(&ids[i]))
        .count();
    if left > 0 {
        anyhow::bail!("{left} functions of the rest are still referenced by the primary");
    }
    Ok(())
}

/// What went where: the stubs by slot (what `tests/e2e/split.test.mjs` names), then every
/// function of each module with its length in instructions.
fn report(plan: &Plan) -> String {
    let names: Vec<String> = plan.names.iter().map(|n| plain_name(n)).collect();
    let sizes = &plan.sizes;
    let total = |keep: bool| -> u64 {
        (0..names.len())
            .filter(|&i| plan.primary[i] == keep)
            .map(|i| sizes[i])
            .sum()
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "primary: {} instructions; rest: {}; {} stubs",
        total(true),
        total(false),
        plan.boundary.len(),
    );
    let _ = writeln!(text, "\n# stubs (slot, name)");
    for (k, &i) in plan.boundary.iter().enumerate() {
        let _ = writeln!(text, "{k}\t{}", names[i]);
    }
    let _ = writeln!(text, "\n# rest (instructions, name)");
    for i in (0..names.len()).filter(|&i| !plan.primary[i]) {
        let _ = writeln!(text, "{}\t{}", sizes[i], names[i]);
    }
    let _ = writeln!(text, "\n# primary (instructions, rule, name)");
    for i in (0..names.len()).filter(|&i| plan.primary[i]) {
        let _ = writeln!(text, "{}\t{:?}\t{}", sizes[i], plan.rules[i], names[i]);
    }
    text
}
