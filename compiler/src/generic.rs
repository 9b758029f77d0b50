//! A checked graph built into dataplane's generic runner ([`Router`]) on
//! the linux platform: what `nfc click` runs, and what tests compare
//! generated pipelines with.
//!
//! Every element is built from its class and configuration string: the
//! platform's classes (devices, pcap files, ControlSocket) by
//! [`nfc_platform_linux::classes`], the others by
//! [`nfc_elements::classes`]. Scripts (Script, DriverManager) are built as
//! two halves sharing one state ([`nfc_elements::classes::build_script`]):
//! an element in the router, which runs packet scripts in the packet path
//! and is listed with the others, and a
//! [`Driver`](nfc_dataplane::pipeline::Driver) the poll loop steps and
//! whose handlers (`s.run`, `s.step`) it answers. Classes that only inform
//! configuration (AddressInfo) are left out; a connection to one carries
//! nothing. Ports and push/pull come from the checker's resolution, as in
//! generated code. Elements whose configurations name files (zones,
//! [`nfc_elements::classes::FILE_CLASSES`]) read them through the
//! platform ([`Linux::files`]: relative to the configuration's directory
//! when the runner is told it).

use std::fmt;

use nfc_dataplane::router::{PortRef, Router};
use nfc_graph::graph::Graph;
use nfc_graph::{Diagnostic, PortInfo, Processing};
use nfc_platform_linux::{Drivers, Linux};

/// Buffers in the packet pool of a configuration run by the generic
/// runner: as many as generated pipelines have.
pub const POOL_SIZE: usize = crate::codegen::POOL_SIZE;

/// A configuration built for the generic runner.
pub struct Generic {
    /// Every element with packet code, wired.
    pub router: Router,
    /// The configuration's driver scripts, in configuration order.
    pub drivers: Drivers,
}

/// Why one element of a checked graph could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    /// The element's index in the graph.
    pub element: usize,
    /// What went wrong (`FromDump: in.pcap: No such file or directory`).
    pub message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

impl BuildError {
    /// The error as a diagnostic under the element's declaration in the
    /// source, for [`nfc_graph::Source::render`].
    pub fn diagnostic(&self, graph: &Graph) -> Diagnostic {
        let e = &graph.elements[self.element];
        Diagnostic::error(
            self.message.clone(),
            e.span,
            format!("while initializing `{}`", e.name),
        )
    }
}

/// Builds `graph` (checked, with resolved `ports`) on `plat`: every
/// element configured and told its port counts, every connection wired
/// push or pull, the driver scripts made. Every element is tried, so all
/// errors are reported at once, as Click does; devices, files and sockets
/// are opened as the elements are built.
pub fn build(
    graph: &Graph,
    ports: &[PortInfo],
    plat: &mut Linux,
) -> Result<Generic, Vec<BuildError>> {
    let mut router = Router::new();
    router.set_registry(nfc_elements::REGISTRY);
    let mut drivers: Drivers = Vec::new();
    let mut errors = Vec::new();
    // Graph index -> router index, for elements with packet code.
    let mut index = vec![None; graph.elements.len()];
    for (i, e) in graph.elements.iter().enumerate() {
        let config = e.config.text.as_str();
        let fail = |message: String| BuildError {
            element: i,
            message,
        };
        if nfc_elements::classes::CONFIG_ONLY.contains(&e.class.as_str()) {
            continue;
        }
        let script = nfc_elements::classes::build_script(&e.class, &e.name, config);
        let built = match script {
            Some(Ok((element, driver))) => {
                drivers.push(driver);
                Ok(element)
            }
            Some(Err(err)) => Err(format!("{}: {err}", e.class)),
            None => match nfc_elements::classes::build_with_files(&e.class, config, plat.files()) {
                Some(built) => with_files(&e.class, built),
                None => match nfc_platform_linux::classes::build(plat, &e.class, config) {
                    Some(r) => r,
                    None => match nfc_elements::classes::build(&e.class, config) {
                        Some(r) => r.map_err(|err| format!("{}: {err}", e.class)),
                        None => Err(format!(
                            "{}: this class has no packet code on --plat linux yet",
                            e.class
                        )),
                    },
                },
            },
        };
        match built {
            Ok(element) => {
                let p = &ports[i];
                index[i] = Some(router.add(
                    &e.name,
                    &e.class,
                    element,
                    p.inputs.len(),
                    p.outputs.len(),
                    // The runner pulls through output 0 of an agnostic
                    // element (every agnostic class has one output kind).
                    crate::codegen::pulled_through(&e.class, 0, p),
                ));
            }
            Err(message) => errors.push(fail(message)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for c in &graph.connections {
        let (Some(from), Some(to)) = (index[c.from.element], index[c.to.element]) else {
            continue;
        };
        let pull = ports[c.to.element].inputs.get(c.to.port as usize) == Some(&Processing::Pull);
        router.connect(
            PortRef {
                element: from,
                port: c.from.port as usize,
            },
            PortRef {
                element: to,
                port: c.to.port as usize,
            },
            pull,
        );
    }
    // Elements that name others (ICMPRewriter's MAPS, a rewriter's
    // pattern or mapper) find them now that all exist.
    router.link().map_err(|errors| {
        errors
            .into_iter()
            .map(|message| {
                // "name: why": shown under that element's declaration.
                let name = message.split(": ").next().unwrap_or_default();
                let element = graph
                    .elements
                    .iter()
                    .position(|e| e.name == name)
                    .unwrap_or(0);
                BuildError { element, message }
            })
            .collect::<Vec<_>>()
    })?;
    Ok(Generic { router, drivers })
}

/// The element of class `class` built with its files, or the error
/// message: a file that could not be read is named as the reader names
/// it (`zones/a.zone: No such file or directory (read as /…/zones/a.zone)`).
fn with_files(
    class: &str,
    built: nfc_elements::classes::WithFiles,
) -> Result<Box<dyn nfc_dataplane::element::Element>, String> {
    if let Some((_, Err(why))) = built.read.iter().find(|(_, r)| r.is_err()) {
        return Err(format!("{class}: cannot read {why}"));
    }
    built.element.map_err(|err| format!("{class}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Elements;
    use nfc_dataplane::element::NullConsole;
    use nfc_dataplane::packet::PacketPool;
    use nfc_dataplane::pipeline::{self, Pipeline, Stopped};
    use nfc_graph::Source;

    fn checked(config: &str) -> nfc_graph::Outcome {
        let source = Source::new("t.click", config.to_string());
        let outcome = nfc_graph::load(&source, &[], Some(&Elements));
        assert!(
            outcome.ok(),
            "{}",
            source.render(&outcome.diagnostics, false)
        );
        outcome
    }

    fn built(config: &str, plat: &mut Linux) -> Result<Generic, Vec<BuildError>> {
        let outcome = checked(config);
        build(
            outcome.graph.as_ref().unwrap(),
            outcome.ports.as_deref().unwrap(),
            plat,
        )
    }

    fn run(g: &mut Generic, plat: &mut Linux) -> Stopped {
        plat.start(&g.router).unwrap();
        let pool = plat.pool();
        pipeline::run(
            &mut g.router,
            plat,
            pool,
            &NullConsole,
            &mut g.drivers,
            Some(100_000),
        )
    }

    #[test]
    fn push_and_pull_paths_are_wired() {
        // A push path into a queue, pulled through a counter by Unqueue;
        // the classifier's second output and AddressInfo carry nothing.
        let mut plat = Linux::new(PacketPool::new(256));
        let mut g = built(
            "AddressInfo(me 10.0.0.1);
             src :: InfiniteSource(LIMIT 100, BURST 7, STOP true)
               -> cl :: Classifier(0/52, -) -> q :: Queue(200)
               -> pc :: Counter -> Unqueue(BURST 3) -> out :: Counter -> Discard;
             cl[1] -> other :: Counter -> Discard;",
            &mut plat,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(g.drivers.is_empty());
        let names: Vec<&str> = g.router.elements().iter().map(|(n, _)| *n).collect();
        assert!(
            !names.iter().any(|n| n.starts_with("AddressInfo")),
            "{names:?}"
        );
        assert_eq!(run(&mut g, &mut plat), Stopped::Elements);
        // The source stops once its 100 packets are out; some may still
        // sit in the queue.
        let passed: u64 = g.router.read("pc", "count").unwrap().parse().unwrap();
        assert_eq!(g.router.read("out", "count").unwrap(), passed.to_string());
        assert!(passed > 0, "packets were pulled through pc");
        assert_eq!(g.router.read("other", "count").unwrap(), "0");
        let queued: u64 = g.router.read("q", "length").unwrap().parse().unwrap();
        assert_eq!(passed + queued, 100);
    }

    #[test]
    fn drivers_run_and_stop_the_configuration() {
        let mut plat = Linux::new(PacketPool::new(64));
        let mut g = built(
            "InfiniteSource(LIMIT 5, STOP true) -> c :: Counter -> Discard;
             DriverManager(wait_stop, write c.reset, stop);",
            &mut plat,
        )
        .unwrap();
        assert_eq!(g.drivers.len(), 1);
        assert_eq!(run(&mut g, &mut plat), Stopped::Elements);
        assert_eq!(
            g.router.read("c", "count").unwrap(),
            "0",
            "reset by the driver"
        );
    }

    #[test]
    fn every_failing_element_is_reported() {
        let mut plat = Linux::new(PacketPool::new(4));
        let source = "a :: FromDump(/nonexistent/a.pcap) -> Discard;\n\
                      b :: FromDump(/nonexistent/b.pcap) -> Discard;\n";
        let outcome = checked(source);
        let graph = outcome.graph.as_ref().unwrap();
        let errors = match build(graph, outcome.ports.as_deref().unwrap(), &mut plat) {
            Ok(_) => panic!("missing files must fail"),
            Err(e) => e,
        };
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].message.contains("/nonexistent/a.pcap"),
            "{errors:?}"
        );
        let rendered = Source::new("t.click", source).render(&[errors[1].diagnostic(graph)], false);
        assert!(rendered.contains("t.click:2:6"), "{rendered}");
        assert!(rendered.contains("while initializing `b`"), "{rendered}");
    }
}
