//! nfc's element registry, as the front end's [`Registry`] trait sees it.

use nfc_graph::{ClassInfo, ConfigIssue, Registry};

/// The registry of every element in `nfc-elements`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Elements;

impl Registry for Elements {
    fn lookup(&self, class: &str) -> Option<ClassInfo<'_>> {
        nfc_elements::lookup(class).map(|s| ClassInfo {
            port_count: s.port_count,
            processing: s.processing,
            flow_code: s.flow_code,
        })
    }

    fn class_names(&self) -> Vec<&str> {
        nfc_elements::all().map(|s| s.class).collect()
    }

    fn configure(&self, class: &str, config: &str) -> Vec<ConfigIssue> {
        let Some(spec) = nfc_elements::lookup(class) else {
            return Vec::new();
        };
        match (spec.check)(config) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .0
                .into_iter()
                .map(|e| ConfigIssue {
                    range: e.span,
                    message: e.message,
                    hint: e.hint,
                })
                .collect(),
        }
    }
}
