//! nfc's element registry, as the front end's [`Registry`] trait sees it.

use nfc_graph::{ClassInfo, ConfigIssue, ConfigPorts, PortRange, Registry};

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

    fn configure(&self, class: &str, config: &str) -> Result<ConfigPorts, Vec<ConfigIssue>> {
        let Some(spec) = nfc_elements::lookup(class) else {
            return Ok(ConfigPorts::default());
        };
        let range = |r: Option<(u32, Option<u32>)>| r.map(|(lo, hi)| PortRange { lo, hi });
        match (spec.check)(config) {
            Ok(ports) => Ok(ConfigPorts {
                inputs: range(ports.inputs),
                outputs: range(ports.outputs),
                reason: ports.reason.to_string(),
            }),
            Err(errors) => Err(errors
                .0
                .into_iter()
                .map(|e| ConfigIssue {
                    range: e.span,
                    message: e.message,
                    hint: e.hint,
                })
                .collect()),
        }
    }
}
