//! Code generation: a checked graph becomes the source of one `Pipeline`
//! struct whose elements are wired by direct, statically typed calls.
//!
//! The generated file reads like the configuration: one field per element,
//! in configuration order, with the Click declaration in its doc comment;
//! one function per push input (`push_NAME_PORT`) that runs the element on
//! a batch and calls the next element's function for each output; one
//! function per pull output (`pull_NAME_PORT`); `run_tasks` for sources,
//! devices and the consumers of queues; handlers as a `match` on names.
//! IPFilter and IPClassifier take their classification program compiled
//! to Rust as a type parameter (`NAME_program`, written at the end of the
//! file).
//!
//! A pipeline is generated as a program's `main.rs` ([`generate`], what
//! `nfc compile` builds) or as a module ([`Shape`]); several
//! modules make one program whose first argument names the pipeline to run
//! ([`generate_multi_main`]), so that many configurations (the golden
//! tests') cost one build.

use std::collections::HashSet;
use std::fmt::Write;

use nfc_graph::graph::Graph;
use nfc_graph::{PortInfo, Processing};

/// The platforms code can be generated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plat {
    /// A Linux process.
    Linux,
    /// A single-core x86_64 image booted by KVM/QEMU through PVH.
    Kvm,
    /// A single-core arm64 image (a Linux arm64 `Image`) for QEMU's virt.
    Arm64,
    /// A single-core x86_64 Xen PVH domain with netfront vifs.
    Xen,
}

impl Plat {
    /// The platform crate, as generated code names it.
    pub fn crate_name(self) -> &'static str {
        match self {
            Plat::Linux => "nfc_platform_linux",
            Plat::Kvm => "nfc_platform_kvm",
            Plat::Arm64 => "nfc_platform_arm64",
            Plat::Xen => "nfc_platform_xen",
        }
    }

    /// The platform's type, which elements are built against.
    fn type_name(self) -> &'static str {
        match self {
            Plat::Linux => "Linux",
            Plat::Kvm => "Kvm",
            Plat::Arm64 => "Arm64",
            Plat::Xen => "Xen",
        }
    }

    /// The Rust target the platform builds for, `None` for the host.
    pub fn target(self) -> Option<&'static str> {
        match self {
            Plat::Linux => None,
            Plat::Kvm => Some("x86_64-unknown-none"),
            Plat::Arm64 => Some("aarch64-unknown-none"),
            Plat::Xen => Some("x86_64-unknown-none"),
        }
    }

    /// The platform's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Plat::Linux => "linux",
            Plat::Kvm => "kvm",
            Plat::Arm64 => "arm64",
            Plat::Xen => "xen",
        }
    }

    /// Element classes the platform provides itself (devices, files).
    fn classes(self) -> &'static [&'static str] {
        match self {
            Plat::Linux => nfc_platform_linux::classes::CLASSES,
            Plat::Kvm => nfc_platform_kvm::classes::CLASSES,
            Plat::Arm64 => nfc_platform_arm64::classes::CLASSES,
            Plat::Xen => nfc_platform_xen::classes::CLASSES,
        }
    }
}

/// Buffers in the packet pool: enough for every queue, ring and batch in
/// flight of the configurations nfc ships (16 MiB of 2 KiB buffers).
pub(crate) const POOL_SIZE: usize = 8192;

struct Node<'g> {
    name: &'g str,
    class: &'g str,
    config: &'g str,
    field: String,
    ports: &'g PortInfo,
    /// Per output: the input a push output feeds.
    push_to: Vec<Option<(usize, u32)>>,
    /// Per input: the output a pull input pulls from.
    pull_from: Vec<Option<(usize, u32)>>,
    /// The element has no field: it only informs configuration, or it is
    /// a driver script.
    config_only: bool,
    /// A driver script (Script, DriverManager).
    driver: bool,
    /// Rust type and constructor expression.
    ty: String,
    build: String,
}

/// What generated source is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A program's `main.rs`, with `fn main` (what `nfc compile` builds).
    Program,
    /// A module of a program holding several pipelines
    /// ([`generate_multi_main`]): `pub struct Pipeline` and `pub fn
    /// drivers`, no `fn main`.
    Module,
}

/// The Rust module names for pipelines named `names`, in order: each
/// name made an identifier, unique, and never `main` (the program's file).
pub fn module_names(names: &[&str]) -> Vec<String> {
    let mut taken = HashSet::from(["main".to_string()]);
    names
        .iter()
        .map(|n| unique(&mut taken, &rust_ident(n)))
        .collect()
}

/// Generates the `main.rs` of a program holding several pipelines: the
/// modules [`generate`] makes with [`Shape::Module`], named by
/// [`module_names`] of `names` and written beside it as `MODULE.rs`. The
/// program's first argument names the pipeline to run; the others are the
/// platform's options.
pub fn generate_multi_main(names: &[&str], plat: Plat) -> String {
    let modules = module_names(names);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "//! {} pipelines in one program, generated by nfc for --plat {}.\n\
         //! The first argument names the pipeline to run; the others are the\n\
         //! platform's options (`PIPELINE --help`).\n\
         //! Do not edit: change the configurations and generate again.\n",
        names.len(),
        plat.name()
    );
    for m in &modules {
        let _ = writeln!(w, "mod {m};");
    }
    let listed: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let _ = writeln!(
        w,
        "\n/// The pipelines, by name.\nconst PIPELINES: &[&str] = &[{}];\n",
        listed.join(", ")
    );
    let _ = writeln!(
        w,
        "fn main() -> std::process::ExitCode {{\n    \
         let args: Vec<String> = std::env::args().skip(1).collect();\n    \
         let options = args.get(1..).unwrap_or_default();\n    \
         match args.first().map(String::as_str) {{"
    );
    for (name, m) in names.iter().zip(&modules) {
        let _ = writeln!(
            w,
            "        Some({name:?}) => {}::main_with({name:?}, options, {POOL_SIZE}, {m}::Pipeline::build, {m}::drivers),",
            plat.crate_name()
        );
    }
    let _ = writeln!(
        w,
        "        _ => {{\n            \
         eprintln!(\"usage: PROGRAM PIPELINE [OPTIONS]...; pipelines: {{}}\", PIPELINES.join(\" \"));\n            \
         std::process::ExitCode::from(2)\n        \
         }}\n    }}\n}}"
    );
    s
}

/// Generates the pipeline source for `graph` (checked, with resolved
/// `ports`) read from `source_name`, whose stem is `stem`, as a program
/// or a module.
pub fn generate(
    graph: &Graph,
    ports: &[PortInfo],
    stem: &str,
    source_name: &str,
    plat: Plat,
    shape: Shape,
) -> Result<String, String> {
    let mut nodes = Vec::with_capacity(graph.elements.len());
    let mut fields = HashSet::new();
    let mut missing = Vec::new();
    let mut programs = Vec::new();
    let disk = nfc_platform_linux::files::Disk::beside(source_name);
    let mut embedded: Vec<Embed> = Vec::new();
    for (i, e) in graph.elements.iter().enumerate() {
        let field = unique(&mut fields, &rust_ident(&e.name));
        let config = e.config.text.as_str();
        let driver = nfc_elements::classes::DRIVERS.contains(&e.class.as_str());
        let config_only = nfc_elements::classes::CONFIG_ONLY.contains(&e.class.as_str()) || driver;
        let program = nfc_elements::classes::classification_program(&e.class, config);
        let (ty, build) = if plat.classes().contains(&e.class.as_str()) {
            (
                format!("platform::{}", e.class),
                format!("platform::{}::new(plat, {config:?})?", e.class),
            )
        } else if let Some(program) = program {
            // The program compiled to Rust, as the element's type parameter.
            let compiled = format!("{field}_program");
            programs.push(format!(
                "// `{} :: {}`'s program.\n{}",
                e.name,
                e.class,
                program.to_rust(&compiled)
            ));
            (
                format!("e::{}<{compiled}>", e.class),
                format!(
                    "e::{}::configure({config:?})\n                \
                     .and_then(|f| f.compiled::<{compiled}>())\n                \
                     .map_err(|err| configure_error({:?}, err))?",
                    e.class, e.name
                ),
            )
        } else if nfc_elements::classes::FILE_CLASSES.contains(&e.class.as_str()) {
            // Its files, read now to be embedded; configured from the
            // image at boot.
            for (name, bytes) in files_read(&disk, &e.name, &e.class, config)? {
                if !embedded.iter().any(|f| f.name == name) {
                    let path = disk.path(&name);
                    embedded.push(Embed { name, path, bytes });
                }
            }
            (
                format!("e::{}", e.class),
                format!(
                    "e::{}::configure_with_files({config:?}, &FILES)\n                \
                     .map_err(|err| configure_error({:?}, err))?",
                    e.class, e.name
                ),
            )
        } else if nfc_elements::classes::CLASSES.contains(&e.class.as_str()) {
            (
                format!("e::{}", e.class),
                format!(
                    "e::{}::configure({config:?}).map_err(|err| configure_error({:?}, err))?",
                    e.class, e.name
                ),
            )
        } else {
            if !config_only {
                missing.push(format!("`{}` :: {}", e.name, e.class));
            }
            (String::new(), String::new())
        };
        nodes.push(Node {
            name: &e.name,
            class: &e.class,
            config,
            field,
            ports: &ports[i],
            push_to: vec![None; ports[i].outputs.len()],
            pull_from: vec![None; ports[i].inputs.len()],
            config_only,
            driver,
            ty,
            build,
        });
    }
    if !missing.is_empty() {
        return Err(format!(
            "nfc: these elements have no packet code on --plat {} yet: {}\n",
            plat.name(),
            missing.join(", ")
        ));
    }
    let generic_only: Vec<String> = graph
        .elements
        .iter()
        .zip(ports)
        .filter(|(e, p)| pulls_its_inputs(&e.class, p) || is_packet_script(&e.class, p))
        .map(|(e, _)| format!("`{}` :: {}", e.name, e.class))
        .collect();
    if !generic_only.is_empty() {
        return Err(format!(
            "nfc: generated code cannot run elements that pull from their own \
             inputs, or scripts that take packets, yet: {}; `nfc click` (the \
             generic runner) runs this configuration\n",
            generic_only.join(", ")
        ));
    }
    for c in &graph.connections {
        let (f, t) = (c.from.element, c.to.element);
        let (fp, tp) = (c.from.port as usize, c.to.port as usize);
        if nodes[t].ports.inputs.get(tp) == Some(&Processing::Pull) {
            nodes[t].pull_from[tp] = Some((f, c.from.port));
        } else {
            nodes[f].push_to[fp] = Some((t, c.to.port));
        }
    }

    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "//! The `{stem}` pipeline, generated by nfc from `{source_name}` for --plat {}.\n\
         //! Do not edit: change the configuration and compile again.\n\
         #![allow(non_snake_case, dead_code, unused_imports, unused_mut, unused_variables, clippy::all)]",
        plat.name()
    );
    if plat.target().is_some() {
        // An image: no std, no main; the platform's `entry!` is the start.
        let _ = writeln!(
            w,
            "#![no_std]\n#![no_main]\n\n\
             extern crate alloc;\n\
             use alloc::{{boxed::Box, format, string::String, vec, vec::Vec}};"
        );
    }
    let _ = writeln!(
        w,
        "\n\
         use nfc_dataplane::batch::{{Batch, BURST}};\n\
         use nfc_dataplane::element::{{Context, Element, HandlerError, TaskResult}};\n\
         use nfc_elements::classes as e;\n\
         use {} as platform;\n",
        plat.crate_name()
    );
    let live: Vec<usize> = (0..nodes.len())
        .filter(|&i| !nodes[i].config_only)
        .collect();

    // The struct.
    let _ = writeln!(
        w,
        "/// Every element of `{stem}`, in configuration order.\npub struct Pipeline {{"
    );
    for &i in &live {
        let n = &nodes[i];
        let _ = writeln!(
            w,
            "    /// `{} :: {}({})`\n    {}: {},",
            n.name,
            n.class,
            one_line(n.config),
            n.field,
            n.ty
        );
    }
    let _ = writeln!(w, "}}\n");

    // Construction.
    let _ = writeln!(
        w,
        "fn configure_error(name: &str, err: nfc_dataplane::args::ConfigErrors) -> String {{\n    \
         format!(\"{{name}}: {{err}}\")\n}}\n\n\
         impl Pipeline {{\n    \
         /// Configures every element, in configuration order.\n    \
         pub fn build(plat: &mut platform::{}) -> Result<Pipeline, String> {{\n        \
         let mut p = Pipeline {{",
        plat.type_name()
    );
    for &i in &live {
        let _ = writeln!(w, "            {}: {},", nodes[i].field, nodes[i].build);
    }
    let _ = writeln!(w, "        }};");
    for &i in &live {
        let n = &nodes[i];
        if variable_ports(n.class) {
            let _ = writeln!(
                w,
                "        p.{}.set_ports({}, {});",
                n.field,
                n.pull_from.len(),
                n.push_to.len()
            );
        }
    }
    // Elements that name others (ICMPRewriter's MAPS, a rewriter's
    // pattern or mapper) find them now that all exist.
    let linked: Vec<usize> = live
        .iter()
        .copied()
        .filter(|&i| nfc_elements::classes::LINKED.contains(&nodes[i].class))
        .collect();
    if !linked.is_empty() {
        let _ = writeln!(w, "        nfc_dataplane::element::link_all(&mut [");
        for &i in &linked {
            let n = &nodes[i];
            let _ = writeln!(w, "            ({:?}, &mut p.{}),", n.name, n.field);
        }
        let _ = writeln!(
            w,
            "        ])\n        .map_err(|errors| errors.join(\"; \"))?;"
        );
    }
    let _ = writeln!(w, "        Ok(p)\n    }}\n");

    // Push functions.
    for &i in &live {
        let n = &nodes[i];
        for (port, p) in n.ports.inputs.iter().enumerate() {
            if *p != Processing::Push {
                continue;
            }
            let _ = writeln!(
                w,
                "    /// A batch arrives on `{}` input {port}.\n    \
                 #[inline]\n    \
                 fn push_{}_{port}(&mut self, cx: &Context, batch: &mut Batch) {{",
                n.name, n.field
            );
            let others = others(w, n.push_to.len(), "        ");
            let _ = writeln!(
                w,
                "        self.{}.push(cx, {port}, batch, {others});",
                n.field
            );
            forward(w, &nodes, i, "batch", None);
            let _ = writeln!(w, "    }}\n");
        }
    }

    // Pull functions.
    for &i in &live {
        let n = &nodes[i];
        for (port, p) in n.ports.outputs.iter().enumerate() {
            if *p != Processing::Pull {
                continue;
            }
            let _ = writeln!(
                w,
                "    /// Pulls up to `max` packets from `{}` output {port} into `batch`.\n    \
                 #[inline]\n    \
                 fn pull_{}_{port}(&mut self, cx: &Context, max: usize, batch: &mut Batch) {{",
                n.name, n.field
            );
            if !pulled_through(n.class, port, n.ports) {
                let _ = writeln!(w, "        self.{}.pull(cx, {port}, max, batch);", n.field);
            } else if let Some((up, up_port)) = n.pull_from.first().copied().flatten() {
                // Output 0 is the pulled batch itself; another output is
                // pulled through a batch of its own.
                // (`zero` names the batch, `arg` passes it on).
                let (zero, arg) = match port {
                    0 => ("batch", "batch"),
                    _ => ("zero", "&mut zero"),
                };
                if port != 0 {
                    let _ = writeln!(w, "        let mut zero = Batch::new();");
                }
                let _ = writeln!(
                    w,
                    "        self.pull_{}_{up_port}(cx, max, {arg});\n        \
                     if {zero}.is_empty() {{\n            return;\n        }}",
                    nodes[up].field,
                );
                let others = others(w, n.push_to.len(), "        ");
                let _ = writeln!(w, "        self.{}.push(cx, 0, {arg}, {others});", n.field);
                forward(w, &nodes, i, arg, Some(port));
                if port != 0 {
                    let _ = writeln!(w, "        batch.append(out{port});");
                }
            } else {
                let _ = writeln!(w, "        let _ = (cx, max, batch);");
            }
            let _ = writeln!(w, "    }}\n");
        }
    }
    let _ = writeln!(w, "}}\n");

    // The Pipeline trait.
    let _ = writeln!(
        w,
        "impl nfc_dataplane::pipeline::Pipeline for Pipeline {{\n    \
         fn run_tasks(&mut self, cx: &Context) -> TaskResult {{\n        \
         let mut result = TaskResult::Idle;"
    );
    for &i in &live {
        let n = &nodes[i];
        if !has_task(n) {
            continue;
        }
        let _ = writeln!(w, "        // {} :: {}", n.name, n.class);
        let _ = writeln!(w, "        {{");
        let _ = writeln!(w, "            let mut batch = Batch::new();");
        if let Some((up, up_port)) = n.pull_from.first().copied().flatten() {
            let _ = writeln!(
                w,
                "            let wants = self.{}.task_wants().min(BURST);\n            \
                 if wants > 0 {{\n                self.pull_{}_{up_port}(cx, wants, &mut batch);\n            }}",
                n.field, nodes[up].field
            );
        }
        let mut inner = String::new();
        let others = others(&mut inner, n.push_to.len(), "        ");
        let _ = writeln!(
            inner,
            "        let r = self.{}.run_task(cx, &mut batch, {others});\n        \
             result = result.merge(r);",
            n.field
        );
        forward(&mut inner, &nodes, i, "&mut batch", None);
        for line in inner.lines() {
            let _ = writeln!(w, "    {line}");
        }
        let _ = writeln!(w, "        }}");
    }
    let _ = writeln!(w, "        result\n    }}\n");

    for (sig, prelude, call) in [
        (
            "fn read(&self, element: &str, handler: &str) -> Result<String, HandlerError>",
            "",
            "read_handler(handler)",
        ),
        (
            "fn write(&mut self, element: &str, handler: &str, value: &str) -> Result<(), HandlerError>",
            "",
            "write_handler(handler, value)",
        ),
        (
            "fn call_read(&mut self, element: &str, handler: &str, param: &str) -> Result<String, HandlerError>",
            "        if param.trim().is_empty() {\n            return self.read(element, handler);\n        }\n",
            "read_handler_with(handler, param)",
        ),
    ] {
        let _ = writeln!(w, "    {sig} {{\n{prelude}        match element {{");
        for &i in &live {
            let _ = writeln!(w, "            {:?} => self.{}.{call},", nodes[i].name, nodes[i].field);
        }
        let _ = writeln!(w, "            _ => Err(HandlerError::NoSuchHandler),\n        }}\n    }}\n");
    }

    let _ = writeln!(
        w,
        "    fn take_calls(&mut self, calls: &mut Vec<(String, String)>) {{"
    );
    for &i in &live {
        let _ = writeln!(
            w,
            "        while let Some(c) = self.{}.take_call() {{\n            calls.push(c);\n        }}",
            nodes[i].field
        );
    }
    let _ = writeln!(w, "    }}\n");

    let _ = writeln!(
        w,
        "    fn elements(&self) -> Vec<(&str, &str)> {{\n        vec!["
    );
    for &i in &live {
        let _ = writeln!(
            w,
            "            ({:?}, {:?}),",
            nodes[i].name, nodes[i].class
        );
    }
    let _ = writeln!(w, "        ]\n    }}\n");

    // The classes it uses, and their handlers: only theirs are in the
    // program (the registry stays on the host).
    let mut classes: Vec<&str> = live.iter().map(|&i| &*nodes[i].class).collect();
    classes.sort_unstable();
    classes.dedup();
    let _ = writeln!(
        w,
        "    fn class_handlers(&self, class: &str) -> Option<&'static [&'static str]> {{\n        \
         match class {{"
    );
    for class in &classes {
        let handlers = nfc_elements::lookup(class).map_or(&[][..], |spec| spec.handlers);
        let _ = writeln!(w, "            {class:?} => Some(&{handlers:?}),");
    }
    let _ = writeln!(w, "            _ => None,\n        }}\n    }}\n");
    let _ = writeln!(
        w,
        "    fn classes(&self) -> Vec<&'static str> {{\n        vec!{classes:?}\n    }}\n}}\n"
    );

    match (shape, plat.target()) {
        (Shape::Program, None) => {
            let _ = writeln!(
                w,
                "fn main() -> std::process::ExitCode {{\n    \
                 platform::main({stem:?}, {POOL_SIZE}, Pipeline::build, drivers)\n}}\n"
            );
        }
        (Shape::Program, Some(_)) => {
            let _ = writeln!(
                w,
                "platform::entry!({stem:?}, {POOL_SIZE}, Pipeline::build, drivers);\n"
            );
        }
        (Shape::Module, _) => {}
    }
    let _ = writeln!(
        w,
        "/// The configuration's scripts (Script, DriverManager), run by the poll loop.\n\
         pub fn drivers() -> Result<Vec<Box<dyn nfc_dataplane::pipeline::Driver>>, String> {{\n    \
         Ok(vec!["
    );
    for n in nodes.iter().filter(|n| n.driver) {
        let _ = writeln!(
            w,
            "        nfc_elements::classes::build_driver({:?}, {:?}, {:?})\n            \
             .expect(\"a driver class\")\n            \
             .map_err(|err| configure_error({:?}, err))?,",
            n.class, n.name, n.config, n.name
        );
    }
    let _ = writeln!(w, "    ])\n}}");
    if !embedded.is_empty() {
        write_embedded(w, &embedded);
    }
    for program in &programs {
        let _ = write!(w, "\n{program}");
    }
    Ok(s)
}

/// A file a configuration names, embedded into the program.
struct Embed {
    /// The name the configuration gives it.
    name: String,
    /// Where it was read.
    path: std::path::PathBuf,
    /// Its contents.
    bytes: Vec<u8>,
}

/// The files element `name` of class `class` (one of
/// [`nfc_elements::classes::FILE_CLASSES`]) reads when configured with
/// `config`, with their contents, read from `disk`; an error names the
/// element and the file when one cannot be read or the configuration
/// fails (`nfc check` reports these with their positions).
fn files_read(
    disk: &nfc_platform_linux::files::Disk,
    name: &str,
    class: &str,
    config: &str,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let built = nfc_elements::classes::build_with_files(class, config, disk)
        .expect("a class that reads files");
    let mut files = Vec::with_capacity(built.read.len());
    for (file, contents) in built.read {
        match contents {
            Ok(bytes) => files.push((file, bytes)),
            Err(why) => return Err(format!("nfc: `{name}` :: {class}: cannot read {why}\n")),
        }
    }
    built
        .element
        .map_err(|err| format!("nfc: `{name}` :: {class}: {err}\n"))?;
    Ok(files)
}

/// Writes `FILES`, the table of embedded files the elements that read
/// files are configured from: each file by its absolute path, with its
/// size and a hash of its contents in a comment, so that the generated
/// source, and the crate named by its hash, change when a file does
/// (cargo also rebuilds when an included file changes).
fn write_embedded(w: &mut String, files: &[Embed]) {
    use std::hash::{Hash, Hasher};
    let _ = writeln!(
        w,
        "\n/// The files the configuration names, embedded: the image has no file\n\
         /// system. (name as the configuration writes it, contents)\n\
         static FILES: nfc_dataplane::files::Embedded = nfc_dataplane::files::Embedded(&["
    );
    for f in files {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        f.bytes.hash(&mut h);
        let _ = writeln!(
            w,
            "    // {} bytes, contents {:016x}\n    ({:?}, include_bytes!({:?})),",
            f.bytes.len(),
            h.finish(),
            f.name,
            f.path.to_string_lossy()
        );
    }
    let _ = writeln!(w, "]);");
}

/// Declares the batches for outputs 1 and up of an element with
/// `noutputs` outputs, if it has any; returns the argument to pass for
/// them.
fn others(w: &mut String, noutputs: usize, indent: &str) -> &'static str {
    if noutputs <= 1 {
        return "&mut []";
    }
    let empty = vec!["Batch::new()"; noutputs - 1].join(", ");
    let _ = writeln!(w, "{indent}let mut others = [{empty}];");
    "&mut others"
}

/// Writes the code that sends element `i`'s output batches on: output 0
/// is `zero` (a `&mut Batch`, or with `&mut ` in front a local `Batch`),
/// output `k >= 1` is `others[k - 1]`, bound to `out{k}`. Output `keep`
/// (the one being pulled) stays where it is; packets for an unconnected
/// output are freed.
fn forward(w: &mut String, nodes: &[Node], i: usize, zero: &str, keep: Option<usize>) {
    let n = &nodes[i];
    let send = |w: &mut String, k: usize, arg: &str| {
        let batch = arg.trim_start_matches("&mut ");
        if Some(k) == keep {
            return;
        }
        match n.push_to.get(k).copied().flatten() {
            Some((t, port)) if !nodes[t].config_only => {
                let _ = writeln!(
                    w,
                    "        if !{batch}.is_empty() {{\n            self.push_{}_{port}(cx, {arg});\n        }}",
                    nodes[t].field
                );
            }
            _ => {
                let _ = writeln!(w, "        {batch}.clear();");
            }
        }
    };
    send(w, 0, zero);
    if n.push_to.len() > 1 {
        let names: Vec<String> = (1..n.push_to.len()).map(|k| format!("out{k}")).collect();
        let _ = writeln!(w, "        let [{}] = &mut others;", names.join(", "));
        for (k, name) in (1..).zip(&names) {
            send(w, k, name);
        }
    }
}

/// True when pulling output `port` of an element of `class` whose ports
/// resolved to `ports` pulls its input and pushes the batch through it:
/// the class declares that output agnostic and its input resolved to pull
/// (a Counter between a Queue and a ToDevice). Shared with the generic
/// runner's builder.
pub(crate) fn pulled_through(class: &str, port: usize, ports: &PortInfo) -> bool {
    let Some(spec) = nfc_elements::lookup(class) else {
        return false;
    };
    let outputs = spec
        .processing
        .split_once('/')
        .map_or(spec.processing, |(_, o)| o);
    let code = outputs.as_bytes().get(port).or(outputs.as_bytes().last());
    code == Some(&b'a')
        && ports.inputs.first() == Some(&Processing::Pull)
        && !pulls_its_inputs(class, ports)
}

/// True when an element of `class` with `ports` pulls from its own inputs
/// ([`nfc_elements::classes::GENERIC_ONLY`] with a pull input): the generic
/// runner calls its `pull_inputs`, and generated code cannot run it yet.
pub(crate) fn pulls_its_inputs(class: &str, ports: &PortInfo) -> bool {
    nfc_elements::classes::GENERIC_ONLY.contains(&class) && ports.inputs.contains(&Processing::Pull)
}

/// True for a driver script with ports: a `TYPE PACKET` Script, which the
/// generic runner runs as an element in the packet path and generated
/// code does not.
fn is_packet_script(class: &str, ports: &PortInfo) -> bool {
    nfc_elements::classes::DRIVERS.contains(&class)
        && !(ports.inputs.is_empty() && ports.outputs.is_empty())
}

/// True when the poll loop runs `n`'s task: the element says it has one
/// (sources, devices, Unqueue, ARPQuerier's timers), except a source whose
/// output is pulled, which hands out packets in `pull` instead. Platform
/// device elements have one, except a ToDevice or ToDump fed by pushes.
fn has_task(n: &Node) -> bool {
    let pulled_source =
        n.ports.inputs.is_empty() && n.ports.outputs.first() == Some(&Processing::Pull);
    if pulled_source {
        return false;
    }
    match nfc_elements::classes::build(n.class, n.config) {
        Some(Ok(e)) => e.has_task(),
        Some(Err(_)) => false,
        None => !n.ports.inputs.contains(&Processing::Push),
    }
}

/// True when the class's port count is a range, so the element needs to
/// be told its ports.
fn variable_ports(class: &str) -> bool {
    nfc_elements::lookup(class).is_some_and(|s| s.port_count.contains('-'))
}

/// A Rust identifier for Click name `name`.
fn rust_ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) || is_keyword(&s) {
        s.insert_str(0, "e_");
    }
    s
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

/// `base`, or `base_2`, `base_3`, … if taken.
fn unique(taken: &mut HashSet<String>, base: &str) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// A configuration on one line, shortened for a doc comment.
fn one_line(config: &str) -> String {
    let flat: String = config.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = flat.replace('`', "'");
    if flat.chars().count() > 100 {
        let cut: String = flat.chars().take(97).collect();
        format!("{cut}...")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Elements;

    fn generated(config: &str) -> Result<String, String> {
        let source = nfc_graph::Source::new("t.click", config.to_string());
        let outcome = nfc_graph::load(&source, &[], Some(&Elements));
        assert!(
            outcome.ok(),
            "{}",
            source.render(&outcome.diagnostics, false)
        );
        let graph = outcome.graph.as_ref().unwrap();
        generate(
            graph,
            outcome.ports.as_deref().unwrap(),
            "t",
            "t.click",
            Plat::Linux,
            Shape::Program,
        )
    }

    #[test]
    fn elements_that_pull_their_inputs_are_refused_by_name() {
        let err = generated(
            "Idle -> q0 :: Queue -> [0]s :: PrioSched -> n :: PullNull -> Discard; \
             Idle -> q1 :: Queue -> [1]s;",
        )
        .unwrap_err();
        assert!(
            err.contains("`s` :: PrioSched, `n` :: PullNull"),
            "names them: {err}"
        );
        assert!(err.contains("`nfc click`"), "says what runs them: {err}");
        // Bypass pushed through is plain packet code.
        let code = generated("Idle -> b :: Bypass -> Discard; b[1] -> [1]b;");
        assert!(code.is_ok(), "{code:?}");
        let err = generated("Idle -> Queue -> b :: Bypass -> Discard; b[1] -> [1]b;").unwrap_err();
        assert!(err.contains("`b` :: Bypass"), "{err}");
        // So are packet scripts; driver scripts are generated.
        let err = generated("Idle -> s :: Script(TYPE PACKET, return 0) -> Discard;").unwrap_err();
        assert!(err.contains("`s` :: Script"), "{err}");
        assert!(generated("Idle -> Discard; Script(wait 1s, stop);").is_ok());
    }

    #[test]
    fn wires_outputs_to_the_next_push_function() {
        let code = generated(
            "c :: Classifier(12/0800, -); FromDump(f.pcap) -> c; \
             c[0] -> chk :: CheckIPHeader(14) -> cnt :: Counter -> ToDump(a.pcap); c[1] -> ToDump(b.pcap);",
        )
        .unwrap();
        assert!(code.contains("    c: e::Classifier,"), "{code}");
        assert!(
            code.contains("fn push_c_0(&mut self, cx: &Context, batch: &mut Batch)"),
            "{code}"
        );
        // Output 0 goes on in the batch that came in; output 1 in a batch
        // of its own.
        assert!(code.contains("self.push_chk_0(cx, batch);"), "{code}");
        assert!(code.contains("let [out1] = &mut others;"), "{code}");
        assert!(code.contains("self.push_ToDump_"), "{code}");
        assert!(code.contains("self.push_cnt_0(cx, batch);"), "{code}");
        assert!(
            code.contains("platform::FromDump::new(plat, \"f.pcap\")?"),
            "{code}"
        );
        assert!(
            code.contains("\"cnt\" => self.cnt.read_handler(handler),"),
            "{code}"
        );
        assert!(
            code.contains("\"cnt\" => self.cnt.read_handler_with(handler, param),"),
            "{code}"
        );
    }

    #[test]
    fn a_module_is_the_program_without_main() {
        let config =
            "FromDump(f.pcap) -> c :: Counter -> ToDump(o.pcap); DriverManager(wait_stop);";
        let source = nfc_graph::Source::new("t.click", config.to_string());
        let outcome = nfc_graph::load(&source, &[], Some(&Elements));
        let (graph, ports) = (
            outcome.graph.as_ref().unwrap(),
            outcome.ports.as_deref().unwrap(),
        );
        let program = generate(graph, ports, "t", "t.click", Plat::Linux, Shape::Program).unwrap();
        let module = generate(graph, ports, "t", "t.click", Plat::Linux, Shape::Module).unwrap();
        assert!(program.contains("fn main() -> std::process::ExitCode"));
        assert!(!module.contains("fn main()"), "{module}");
        for code in [&program, &module] {
            assert!(code.contains("pub struct Pipeline {"));
            assert!(code.contains("pub fn drivers() -> Result<"));
            assert!(code
                .contains("build_driver(\"DriverManager\", \"DriverManager@4\", \"wait_stop\")"));
        }
        // Everything else is the same.
        let main_at = program.find("fn main()").unwrap();
        let rest = &program[main_at..];
        let main_end = main_at + rest.find("\n}\n").unwrap() + 3;
        let without_main = format!(
            "{}{}",
            &program[..main_at],
            &program[main_end..].trim_start()
        );
        assert_eq!(without_main, module);
    }

    #[test]
    fn several_pipelines_in_one_program() {
        assert_eq!(
            module_names(&["ip-checks", "main", "ip_checks", "3x"]),
            ["ip_checks", "main_2", "ip_checks_2", "e_3x"]
        );
        let main = generate_multi_main(&["ip-checks", "main"], Plat::Linux);
        assert!(main.contains("mod ip_checks;\nmod main_2;\n"), "{main}");
        assert!(
            main.contains(
                "Some(\"ip-checks\") => nfc_platform_linux::main_with(\"ip-checks\", options, 8192, \
                 ip_checks::Pipeline::build, ip_checks::drivers),"
            ),
            "{main}"
        );
        assert!(main.contains("const PIPELINES: &[&str] = &[\"ip-checks\", \"main\"];"));
        assert!(
            main.contains("ExitCode::from(2)"),
            "an unknown name is a usage error"
        );
    }

    #[test]
    fn identifiers() {
        assert_eq!(rust_ident("cin"), "cin");
        assert_eq!(rust_ident("Counter@3"), "Counter_3");
        assert_eq!(rust_ident("a/b"), "a_b");
        assert_eq!(rust_ident("3x"), "e_3x");
        assert_eq!(rust_ident("match"), "e_match");
        let mut t = HashSet::new();
        assert_eq!(unique(&mut t, "a_b"), "a_b");
        assert_eq!(unique(&mut t, "a_b"), "a_b_2");
    }
}
