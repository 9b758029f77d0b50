//! The spec every element declares: what the checker, the code generator and
//! `nfc elements` read about a class without running it.

use nfc_dataplane::args::ConfigErrors;

/// One element class, as Click describes it in its element map.
///
/// The strings follow Click's own conventions so that Click's documentation
/// applies unchanged: `port_count` is `"1/1-2"` style (inputs/outputs, each a
/// number, a range `a-b`, `a-` for "at least a", or `-` for any number), and
/// `processing` is `"a/ah"` style (`h` push, `l` pull, `a` agnostic; the last
/// letter of each side repeats for later ports).
#[derive(Debug)]
pub struct ElementSpec {
    /// Click's class name, verbatim (`ARPResponder`).
    pub class: &'static str,
    /// Port counts, `inputs/outputs`, e.g. `"1/1-2"`.
    pub port_count: &'static str,
    /// Processing codes, `inputs/outputs`, e.g. `"a/ah"`.
    pub processing: &'static str,
    /// Click's flow code (which inputs reach which outputs), `"x/x"` when
    /// every input may reach every output.
    pub flow_code: &'static str,
    /// Keyword arguments the element accepts, in the order its manual lists them.
    pub keywords: &'static [&'static str],
    /// Handlers, `name` with a suffix: ` (read)`, ` (write)` or ` (read/write)`.
    pub handlers: &'static [&'static str],
    /// One-line summary, as in Click's element list.
    pub summary: &'static str,
    /// The element's source file; its leading `//!` lines are the manual
    /// (see [`ElementSpec::manual`]).
    pub source: &'static str,
    /// Checks a configuration string the way the element's `configure` does,
    /// without building the element.
    pub check: fn(&str) -> Result<(), ConfigErrors>,
}

impl ElementSpec {
    /// The element's manual: its source file's leading `//!` doc lines, with
    /// the comment markers removed.
    pub fn manual(&self) -> impl Iterator<Item = &'static str> {
        self.source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.strip_prefix("//! ").unwrap_or(&l[3..]))
    }
}
