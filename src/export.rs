//! Writing a run's trace: a header line with the link that reproduces the run and the moment of
//! the export, then the simulator's trace lines (format in the README). Reading it back is
//! [`crate::import`]. It lives above the simulator because the header holds a link, which only
//! the link codec writes.

use crate::sim::Lab;
use crate::sim::json::quoted;

/// The trace format version this build writes and reads.
pub const TRACE_VERSION: u64 = 1;

/// A run's trace as JSON Lines, for any [`Lab`].
pub trait TraceExport {
    /// The first line: the scenario link and the moment of the export.
    fn trace_header(&self) -> String;
    /// The whole trace up to now: the header, then one line per trace record.
    fn trace_jsonl(&self) -> String;
    /// A slice of [`TraceExport::trace_jsonl`]: whole lines from line `from_line` (0 is the
    /// header) until the text reaches `max_bytes` (at least one line), and the next line's
    /// number (`trace_len() + 1` at the end). Concatenated, the slices are exactly
    /// `trace_jsonl()`; the page exports long runs this way.
    fn trace_jsonl_chunk(&self, from_line: usize, max_bytes: usize) -> (String, usize);
}

impl<L: Lab + ?Sized> TraceExport for L {
    fn trace_header(&self) -> String {
        format!(
            r#"{{"t":0,"kind":"scenario","format":"quorumscope-trace","version":{TRACE_VERSION},"at":{},"link":{}}}"#,
            self.now(),
            quoted(&self.scenario().to_query())
        )
    }

    fn trace_jsonl(&self) -> String {
        let mut out = self.trace_header();
        out.push('\n');
        out.push_str(&self.trace_records_jsonl(0, usize::MAX).0);
        out
    }

    fn trace_jsonl_chunk(&self, from_line: usize, max_bytes: usize) -> (String, usize) {
        if from_line == 0 {
            let mut out = self.trace_header();
            out.push('\n');
            if out.len() < max_bytes {
                let (rest, next) = self.trace_records_jsonl(0, max_bytes - out.len());
                out.push_str(&rest);
                return (out, next + 1);
            }
            return (out, 1);
        }
        let (out, next) = self.trace_records_jsonl(from_line - 1, max_bytes);
        (out, next + 1)
    }
}
