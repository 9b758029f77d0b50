//! `nfc compile`: write the generated pipeline crate and build it.
//!
//! The crate goes to `--emit DIR` (default `target/nfc/<hash>/` in the nfc
//! source tree, the hash naming the flattened configuration and platform).
//! It depends on the nfc crates by path, starts from a copy of the
//! workspace's `Cargo.lock` (so it builds with the versions the workspace
//! was tested with, offline), and builds in one target directory shared by
//! every compile, so a second compile rebuilds only the pipeline itself.
//!
//! [`compile_multi`] builds several pipelines, each a module, into one
//! program whose first argument names the pipeline to run: the golden
//! tests build every configuration they run this way, with one build.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::codegen::{self, Plat, Shape};

/// What `nfc compile` needs to know.
pub struct Request<'a> {
    /// The checked graph's flattened Click text (names the build).
    pub flattened: &'a str,
    /// The generated `main.rs`.
    pub source: &'a str,
    /// The platform.
    pub plat: Plat,
    /// Where to write the crate; `None` for the default.
    pub emit: Option<&'a Path>,
    /// Where to put the built program.
    pub output: &'a Path,
}

/// The nfc source tree: `NFC_SRC`, else the tree this `nfc` was built from.
pub fn source_tree() -> Result<PathBuf, String> {
    let candidates = std::env::var_os("NFC_SRC")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map(Path::to_path_buf),
        );
    for c in candidates {
        if c.join("dataplane/Cargo.toml").is_file() && c.join("Cargo.lock").is_file() {
            return Ok(c);
        }
    }
    Err(
        "nfc: cannot find the nfc source tree (dataplane/, elements/, platforms/); \
         set NFC_SRC to the directory holding nfc's Cargo.lock\n"
            .to_string(),
    )
}

/// A short, stable name for a configuration built for a platform.
pub fn build_hash(flattened: &str, plat: Plat) -> String {
    let mut h = DefaultHasher::new();
    flattened.hash(&mut h);
    plat.name().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Several pipelines built into one program (see
/// [`codegen::generate_multi_main`]), as the golden tests do: one build for
/// every configuration.
pub struct MultiRequest<'a> {
    /// The pipelines, in order: each one's name (the program's first
    /// argument) and its module source ([`codegen::Shape::Module`]).
    pub pipelines: &'a [(String, String)],
    /// The platform.
    pub plat: Plat,
    /// Where to write the crate.
    pub dir: &'a Path,
    /// Where to put the built program.
    pub output: &'a Path,
}

/// Writes the crate and builds it; returns the path of the built program.
pub fn compile(req: &Request) -> Result<PathBuf, String> {
    let src = source_tree()?;
    let hash = build_hash(req.flattened, req.plat);
    let dir = match req.emit {
        Some(d) => d.to_path_buf(),
        None => src.join("target/nfc").join(&hash),
    };
    let bin = format!("nfc-{}", &hash[..12]);
    let files = [("main".to_string(), req.source.to_string())];
    build_crate(&dir, &src, &bin, req.plat, &files, req.output)
}

/// Writes the crate of several pipelines and builds it; returns the path
/// of the built program.
pub fn compile_multi(req: &MultiRequest) -> Result<PathBuf, String> {
    let src = source_tree()?;
    let names: Vec<&str> = req.pipelines.iter().map(|(n, _)| n.as_str()).collect();
    let mut files = vec![(
        "main".to_string(),
        codegen::generate_multi_main(&names, req.plat),
    )];
    for (module, (_, source)) in codegen::module_names(&names).into_iter().zip(req.pipelines) {
        files.push((module, source.clone()));
    }
    let mut h = DefaultHasher::new();
    files.hash(&mut h);
    req.plat.name().hash(&mut h);
    let bin = format!("nfc-multi-{:012x}", h.finish() >> 16);
    build_crate(req.dir, &src, &bin, req.plat, &files, req.output)
}

/// Writes a pipeline crate in `dir` whose `src/` holds `files` (module
/// name, source; `main` is the program), builds it as program `bin` in the
/// shared target directory, and copies the program to `output`.
fn build_crate(
    dir: &Path,
    src: &Path,
    bin: &str,
    plat: Plat,
    files: &[(String, String)],
    output: &Path,
) -> Result<PathBuf, String> {
    write_crate(dir, src, bin, plat, files)?;
    let target_dir = src.join("target/nfc-pipelines");
    // cargo reads the crate's `.cargo/config.toml` (target, linker
    // script) from the directory it runs in.
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "--offline",
            "--quiet",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .map_err(|e| format!("nfc: cannot run cargo: {e} (install Rust with rustup)\n"))?;
    if !status.success() {
        return Err(format!(
            "nfc: building the generated pipeline in {} failed\n",
            dir.display()
        ));
    }
    let built = match plat.target() {
        Some(triple) => target_dir.join(triple),
        None => target_dir,
    }
    .join("release")
    .join(bin);
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("nfc: cannot create {}: {e}\n", parent.display()))?;
    }
    std::fs::copy(&built, output).map_err(|e| {
        format!(
            "nfc: cannot copy {} to {}: {e}\n",
            built.display(),
            output.display()
        )
    })?;
    Ok(output.to_path_buf())
}

fn write_crate(
    dir: &Path,
    src: &Path,
    bin: &str,
    plat: Plat,
    files: &[(String, String)],
) -> Result<(), String> {
    let io =
        |what: &Path, e: std::io::Error| format!("nfc: cannot write {}: {e}\n", what.display());
    let src_dir = dir.join("src");
    std::fs::create_dir_all(&src_dir).map_err(|e| io(dir, e))?;
    let path = |p: &str| src.join(p).display().to_string();
    let manifest = format!(
        "# Generated by nfc: the pipeline of one configuration. Do not edit.\n\
         [package]\n\
         name = \"nfc-pipeline\"\n\
         version = \"0.0.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\n\
         [[bin]]\n\
         name = \"{bin}\"\n\
         path = \"src/main.rs\"\n\n\
         [dependencies]\n\
         nfc-dataplane = {{ path = {:?} }}\n\
         nfc-elements = {{ path = {:?} }}\n\
         {} = {{ path = {:?} }}\n\n\
         [profile.release]\n\
         opt-level = 3\n\
         codegen-units = 1\n\
         panic = \"abort\"\n\n\
         [workspace]\n",
        path("dataplane"),
        path("elements"),
        plat.crate_name().replace('_', "-"),
        path(&format!("platforms/{}", plat.name())),
    );
    let mut wanted = vec![(dir.join("Cargo.toml"), manifest)];
    if let Some(triple) = plat.target() {
        wanted.push((dir.join(".cargo/config.toml"), image_config(src, triple)));
    }
    for (module, text) in files {
        wanted.push((src_dir.join(format!("{module}.rs")), text.clone()));
    }
    // Modules of an earlier build that are gone now.
    if let Ok(entries) = std::fs::read_dir(&src_dir) {
        for entry in entries.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "rs") && !wanted.iter().any(|(w, _)| *w == p) {
                std::fs::remove_file(&p).map_err(|e| io(&p, e))?;
            }
        }
    }
    // Files left as they are keep their times, so cargo rebuilds only
    // when a source changed.
    for (p, text) in &wanted {
        if std::fs::read_to_string(p).ok().as_deref() != Some(text.as_str()) {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::write(p, text).map_err(|e| io(p, e))?;
        }
    }
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(src.join("Cargo.lock"), &lock).map_err(|e| io(&lock, e))?;
    }
    Ok(())
}

/// The `.cargo/config.toml` of an image's crate: the target, the linker
/// script at 1 MiB, static relocation (no PIE). The code is built without
/// SSE (the target's soft-float default); the kernel enables SSE at boot
/// for functions that ask for it (platforms/x86_64/DESIGN.md says why).
fn image_config(src: &Path, triple: &str) -> String {
    let script = src.join("platforms/x86_64/link.ld");
    format!(
        "# Generated by nfc: how the image is built. Do not edit.\n\
         [build]\n\
         target = \"{triple}\"\n\n\
         [target.{triple}]\n\
         rustflags = [\"-C\", \"link-arg=-T{}\", \"-C\", \"relocation-model=static\"]\n",
        script.display()
    )
}

/// Generates, writes and builds `graph` for `plat`.
pub fn generate_and_build(
    outcome: &nfc_graph::Outcome,
    stem: &str,
    source_name: &str,
    plat: Plat,
    emit: Option<&Path>,
    output: &Path,
) -> Result<PathBuf, String> {
    let graph = outcome
        .graph
        .as_ref()
        .expect("a checked outcome has a graph");
    let ports = outcome
        .ports
        .as_deref()
        .expect("a checked outcome has ports");
    let source = codegen::generate(graph, ports, stem, source_name, plat, Shape::Program)?;
    let flattened = nfc_graph::export::to_click(graph, Some(ports));
    compile(&Request {
        flattened: &flattened,
        source: &source,
        plat,
        emit,
        output,
    })
}
