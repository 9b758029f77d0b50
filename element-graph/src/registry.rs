//! The element registry as the checker sees it.
//!
//! nfc-graph depends on no runtime crate: the registry (the specs in
//! `nfc-elements`) is handed in through this trait by whoever runs the
//! checker, so the checker and the runtime read one source.

use std::ops::Range;

use crate::check::PortRange;

/// What the checker needs to know of one element class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassInfo<'a> {
    /// Click's port count string, `"1/1-2"`.
    pub port_count: &'a str,
    /// Click's processing string, `"a/ah"`.
    pub processing: &'a str,
    /// Click's flow code, `"x/x"`.
    pub flow_code: &'a str,
}

/// One problem an element's configure found in its configuration string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    /// The bytes of the (expanded) configuration string that are wrong;
    /// `None` when the problem is the configuration as a whole.
    pub range: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// Port counts an element's configuration fixes within its class's port
/// count: `Classifier(12/0800, -)` has exactly two outputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigPorts {
    /// Inputs, if the configuration fixes them.
    pub inputs: Option<PortRange>,
    /// Outputs, if the configuration fixes them.
    pub outputs: Option<PortRange>,
    /// Why, for diagnostics: `"one per pattern"`.
    pub reason: String,
}

/// A source of element classes.
pub trait Registry {
    /// The class named `class`, if the registry has it.
    fn lookup(&self, class: &str) -> Option<ClassInfo<'_>>;

    /// Every class name, for "did you mean" suggestions.
    fn class_names(&self) -> Vec<&str>;

    /// Runs the class's configure on `config` (already expanded): the port
    /// counts the configuration fixes, or every problem it found.
    fn configure(&self, class: &str, config: &str) -> Result<ConfigPorts, Vec<ConfigIssue>>;
}
