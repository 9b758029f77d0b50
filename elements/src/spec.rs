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
    /// without building the element, and returns the port counts the
    /// configuration fixes (one output per pattern, say).
    pub check: fn(&str) -> Result<Ports, ConfigErrors>,
}

/// Port counts a configuration fixes within the class's `port_count`:
/// `Classifier(12/0800, -)` has exactly two outputs, `IPFilter(2 tcp)` at
/// least three.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ports {
    /// Inputs as `(fewest, most)`, if the configuration fixes them.
    pub inputs: Option<(u32, Option<u32>)>,
    /// Outputs as `(fewest, most)`, if the configuration fixes them.
    pub outputs: Option<(u32, Option<u32>)>,
    /// Why, for diagnostics: `"one per pattern"`.
    pub reason: &'static str,
}

impl Ports {
    /// The configuration fixes nothing: `port_count` alone applies.
    pub const DECLARED: Ports = Ports {
        inputs: None,
        outputs: None,
        reason: "",
    };

    /// Exactly `n` outputs.
    pub fn outputs(n: usize, reason: &'static str) -> Ports {
        let n = n as u32;
        Ports {
            outputs: Some((n, Some(n))),
            reason,
            ..Ports::DECLARED
        }
    }

    /// At least `n` outputs.
    pub fn outputs_at_least(n: usize, reason: &'static str) -> Ports {
        Ports {
            outputs: Some((n as u32, None)),
            reason,
            ..Ports::DECLARED
        }
    }
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
