//! The layers point one way: the simulator (`src/sim/`) never reaches up into the charts, the
//! protocols, their registry, the link codec, fuzzing, trace import or the UI. A protocol author
//! can read the simulator alone, and the engine can be reused by every system built on it.

use std::fs;
use std::path::Path;

/// Paths the simulator must not name: everything that sits above it.
const ABOVE_THE_SIMULATOR: &[&str] = &[
    "crate::charts",
    "crate::protocols",
    "crate::scenario",
    "crate::fuzz",
    "crate::compare",
    "crate::comparison",
    "crate::tradeoff",
    "crate::import",
    "crate::consistency",
    "crate::ui",
    "quorumscope::",
    // The link codec's methods on a scenario (inherent methods need no import to be called).
    ".to_query(",
    "::from_query(",
    "::parse_link(",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/sim is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of the Rust files under `dir` that name one of `paths` (comments aside).
fn offences(dir: &str, paths: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    assert!(!files.is_empty(), "{dir} holds no Rust file");
    let mut offences = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("a source file");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for path in paths {
                if code.contains(path) {
                    offences.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
                }
            }
        }
    }
    offences
}

#[test]
fn the_simulator_imports_nothing_above_it() {
    let offences = offences("src/sim", ABOVE_THE_SIMULATOR);
    assert!(
        offences.is_empty(),
        "the simulator reaches up:\n{}",
        offences.join("\n")
    );
}

/// The history checker is pure: it reads JSON with the simulator's reader and nothing else of
/// the project, so the page, the command line and a future store protocol can all use it.
#[test]
fn the_consistency_checker_imports_only_the_simulator() {
    let offences = offences(
        "src/consistency",
        &[
            "crate::protocols",
            "crate::ui",
            "crate::scenario",
            "crate::charts",
            "crate::fuzz",
            "quorumscope::",
            "web_sys",
            "yew",
        ],
    );
    assert!(
        offences.is_empty(),
        "the checker reaches out:\n{}",
        offences.join("\n")
    );
}

/// The repository's top level stays as the project set it: code in `src`, static assets in
/// `www`, tests in `tests`, benchmarks in `benches`, scripts (including the build's own steps) in
/// `.ci`. Build output and installed packages (`target`, `dist`, `node_modules`, …) are ignored.
#[test]
fn the_top_level_holds_only_the_agreed_folders() {
    const FOLDERS: &[&str] = &[".cargo", ".ci", ".git", "benches", "src", "tests", "www"];
    const IGNORED: &[&str] = &["target", "dist", "node_modules", "publish"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in fs::read_dir(root).expect("the repository is readable") {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !IGNORED.contains(&name.as_str()) {
            assert!(
                FOLDERS.contains(&name.as_str()),
                "top-level folder '{name}' is not one of {FOLDERS:?}: put it under one of them"
            );
        }
    }
}
