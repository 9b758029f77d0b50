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
    if plat == Plat::Arm64 {
        // The loader takes a flat Image, not the ELF the linker made.
        let elf = std::fs::read(&built)
            .map_err(|e| format!("nfc: cannot read {}: {e}\n", built.display()))?;
        let image = flat_image(&elf).map_err(|e| format!("nfc: {}: {e}\n", built.display()))?;
        std::fs::write(output, image)
            .map_err(|e| format!("nfc: cannot write {}: {e}\n", output.display()))?;
        return Ok(output.to_path_buf());
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

/// ELF's `e_machine` for AArch64.
const EM_AARCH64: u16 = 183;
/// ELF's `e_type` of a position-independent executable.
const ET_DYN: u16 = 3;
/// A loadable segment.
const PT_LOAD: u32 = 1;
/// The dynamic section's segment.
const PT_DYNAMIC: u32 = 2;
/// Dynamic tags: the end, the RELA table, its size and entry size, and
/// the relocation tables the entry code does not read.
const DT_NULL: u64 = 0;
const DT_RELA: u64 = 7;
const DT_RELASZ: u64 = 8;
const DT_RELAENT: u64 = 9;
const DT_REL: u64 = 17;
const DT_JMPREL: u64 = 23;
const DT_RELR: u64 = 36;
/// The one relocation the entry code applies: place = load address +
/// addend.
const R_AARCH64_RELATIVE: u64 = 1027;
/// An `Elf64_Rela`: offset, info, addend.
const RELA_SIZE: u64 = 24;
/// The largest flat image made: a larger span is a linking mistake.
const FLAT_MAX: u64 = 256 << 20;

/// The Linux arm64 `Image` of an image's ELF (a 64-bit, little-endian
/// AArch64 position-independent executable linked at 0): the loadable
/// segments' file bytes laid out from address 0, gaps zero-filled, as
/// `objcopy -O binary` does; `.bss` is left out (the Image header's
/// `image_size` counts it). The result must start with the Image header
/// (magic `ARM\x64` at 0x38).
///
/// The entry code (platforms/arm64/src/boot.rs) relocates the image
/// itself from the `.rela.dyn` it carries, so this checks what it relies
/// on: the table lies in the file's bytes, every entry is an
/// `R_AARCH64_RELATIVE` whose 8-byte place is in the file's bytes too
/// (not in `.bss`, which the entry zeroes afterwards), and there is no
/// other kind of relocation table.
pub fn flat_image(elf: &[u8]) -> Result<Vec<u8>, String> {
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        elf.get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    let u64_at = |at: usize| u64_in(elf, at as u64);
    if elf.get(..6) != Some(b"\x7fELF\x02\x01") {
        return Err("not a 64-bit little-endian ELF".into());
    }
    if u16_at(18) != Some(EM_AARCH64) {
        return Err("not an AArch64 ELF".into());
    }
    if u16_at(16) != Some(ET_DYN) {
        return Err("not a position-independent executable (link with -pie)".into());
    }
    let truncated = || String::from("the ELF's program headers are cut short");
    let phoff = u64_at(32).ok_or_else(truncated)? as usize;
    let phentsize = u16_at(54).ok_or_else(truncated)? as usize;
    let phnum = u16_at(56).ok_or_else(truncated)? as usize;
    // (physical address, file offset, file size) of each loaded segment.
    let mut segments = Vec::new();
    // (file offset, file size) of the dynamic section.
    let mut dynamic = None;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        let kind = u32_at(ph).ok_or_else(truncated)?;
        let offset = u64_at(ph + 8).ok_or_else(truncated)?;
        let paddr = u64_at(ph + 24).ok_or_else(truncated)?;
        let filesz = u64_at(ph + 32).ok_or_else(truncated)?;
        match kind {
            PT_LOAD if filesz > 0 => segments.push((paddr, offset, filesz)),
            PT_DYNAMIC => dynamic = Some((offset, filesz)),
            _ => {}
        }
    }
    let base = segments
        .iter()
        .map(|s| s.0)
        .min()
        .ok_or("the ELF has nothing to load")?;
    if base != 0 {
        return Err(format!(
            "the image is linked at {base:#x}, not 0 (its entry relocates it by its load address)"
        ));
    }
    let end = segments
        .iter()
        .map(|s| s.0.saturating_add(s.2))
        .max()
        .unwrap_or(base);
    if end > FLAT_MAX {
        return Err(format!(
            "the loadable segments span 0..{end:#x}, more than {} MiB",
            FLAT_MAX >> 20
        ));
    }
    let mut image = vec![0u8; end as usize];
    for &(paddr, offset, filesz) in &segments {
        let bytes = usize::try_from(offset)
            .ok()
            .and_then(|o| elf.get(o..o.checked_add(filesz as usize)?))
            .ok_or_else(|| format!("a segment at {paddr:#x} lies past the ELF's end"))?;
        image[paddr as usize..(paddr + filesz) as usize].copy_from_slice(bytes);
    }
    if image.get(0x38..0x3c) != Some(b"ARM\x64") {
        return Err("the image does not start with an arm64 Image header".into());
    }
    if let Some((offset, size)) = dynamic {
        let loaded = |at: u64, len: u64| {
            segments
                .iter()
                .any(|&(p, _, f)| at >= p && at.saturating_add(len) <= p + f)
        };
        check_relocations(elf, offset, size, &image, loaded)?;
    }
    Ok(image)
}

/// Checks the relocations that the dynamic section at `offset` (`size`
/// bytes) of `elf` names, reading the table from `image`: see
/// [`flat_image`]. `loaded(at, len)` says whether that range is in the
/// loaded file bytes.
fn check_relocations(
    elf: &[u8],
    offset: u64,
    size: u64,
    image: &[u8],
    loaded: impl Fn(u64, u64) -> bool,
) -> Result<(), String> {
    let (mut rela, mut relasz, mut relaent) = (None, 0, RELA_SIZE);
    for i in 0..size / 16 {
        let at = offset + i * 16;
        let tag = u64_in(elf, at).ok_or("the ELF's dynamic section is cut short")?;
        let val = u64_in(elf, at + 8).ok_or("the ELF's dynamic section is cut short")?;
        match tag {
            DT_NULL => break,
            DT_RELA => rela = Some(val),
            DT_RELASZ => relasz = val,
            DT_RELAENT => relaent = val,
            DT_REL | DT_JMPREL | DT_RELR => {
                return Err(format!(
                "the image has relocations of a kind its entry does not apply (dynamic tag {tag})"
            ))
            }
            _ => {}
        }
    }
    let Some(rela) = rela else {
        return Ok(());
    };
    if relaent != RELA_SIZE || relasz % RELA_SIZE != 0 {
        return Err(format!(
            "the relocation table's entries are {relaent} bytes ({relasz} in all), not {RELA_SIZE}"
        ));
    }
    if rela % 8 != 0 || !loaded(rela, relasz) {
        return Err(format!(
            "the relocation table at {rela:#x} ({relasz} bytes) is not in the image's loaded bytes"
        ));
    }
    for at in (rela..rela + relasz).step_by(RELA_SIZE as usize) {
        let place = u64_in(image, at).expect("inside the image");
        let info = u64_in(image, at + 8).expect("inside the image");
        if info != R_AARCH64_RELATIVE {
            return Err(format!(
                "a relocation at {place:#x} is of type {} (symbol {}), not R_AARCH64_RELATIVE",
                info & 0xffff_ffff,
                info >> 32
            ));
        }
        if place % 8 != 0 || !loaded(place, 8) {
            return Err(format!(
                "a relocation's place {place:#x} is unaligned or outside the image's loaded bytes"
            ));
        }
    }
    Ok(())
}

/// The little-endian `u64` at byte `at` of `b`, if `b` holds it.
fn u64_in(b: &[u8], at: u64) -> Option<u64> {
    usize::try_from(at)
        .ok()
        .and_then(|at| b.get(at..at.checked_add(8)?))
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
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
        wanted.push((
            dir.join(".cargo/config.toml"),
            image_config(src, plat, triple),
        ));
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

/// The `.cargo/config.toml` of an image's crate: the target and the
/// platform's linker script. x86_64 images are linked at 1 MiB with
/// static relocation (no PIE), and built without SSE (the target's
/// soft-float default); the kernel enables SSE at boot for functions that
/// ask for it (platforms/x86_64/DESIGN.md says why). arm64 images are
/// position-independent executables linked at 0, their `.rela.dyn` kept
/// for the entry code to apply wherever the loader put them; `-z notext`
/// because the prebuilt `core` (static relocation model) has pointers in
/// `.rodata`, which the entry relocates like any other place.
fn image_config(src: &Path, plat: Plat, triple: &str) -> String {
    let (script, relocation) = match plat {
        Plat::Arm64 => (
            "platforms/arm64/link.ld",
            "\"-C\", \"relocation-model=pie\", \"-C\", \"link-arg=-pie\", \
             \"-C\", \"link-arg=--no-dynamic-linker\", \"-C\", \"link-arg=-znotext\"",
        ),
        Plat::Linux | Plat::Kvm | Plat::Xen => (
            "platforms/x86_64/link.ld",
            "\"-C\", \"relocation-model=static\"",
        ),
    };
    format!(
        "# Generated by nfc: how the image is built. Do not edit.\n\
         [build]\n\
         target = \"{triple}\"\n\n\
         [target.{triple}]\n\
         rustflags = [\"-C\", \"link-arg=-T{}\", {relocation}]\n",
        src.join(script).display()
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
    // The build is named by the configuration and by the generated source,
    // which names the files it embeds and hashes their contents.
    let flattened = nfc_graph::export::to_click(graph, Some(ports));
    let named = format!("{flattened}\n{source}");
    compile(&Request {
        flattened: &named,
        source: &source,
        plat,
        emit,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit little-endian position-independent ELF for `machine`
    /// whose program headers load `segments` (physical address, bytes),
    /// one `.bss`-like segment with no file bytes, and, if `dynamic` is
    /// not empty, a dynamic segment of those (tag, value) pairs.
    fn elf(machine: u16, segments: &[(u64, &[u8])], dynamic: &[(u64, u64)]) -> Vec<u8> {
        let phnum = segments.len() + 1 + usize::from(!dynamic.is_empty());
        let mut out = vec![0u8; 64 + 56 * phnum];
        out[..6].copy_from_slice(b"\x7fELF\x02\x01");
        out[16..18].copy_from_slice(&ET_DYN.to_le_bytes());
        out[18..20].copy_from_slice(&machine.to_le_bytes());
        out[32..40].copy_from_slice(&64u64.to_le_bytes());
        out[54..56].copy_from_slice(&56u16.to_le_bytes());
        out[56..58].copy_from_slice(&(phnum as u16).to_le_bytes());
        let mut headers = Vec::new();
        for &(paddr, bytes) in segments {
            headers.push((PT_LOAD, paddr, out.len() as u64, bytes.len() as u64));
            out.extend_from_slice(bytes);
        }
        headers.push((PT_LOAD, 0x5000_0000, 0, 0));
        if !dynamic.is_empty() {
            headers.push((PT_DYNAMIC, 0, out.len() as u64, 16 * dynamic.len() as u64));
            for &(tag, value) in dynamic {
                out.extend_from_slice(&tag.to_le_bytes());
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        for (i, (kind, paddr, offset, filesz)) in headers.into_iter().enumerate() {
            let ph = &mut out[64 + 56 * i..64 + 56 * (i + 1)];
            ph[..4].copy_from_slice(&kind.to_le_bytes());
            ph[8..16].copy_from_slice(&offset.to_le_bytes());
            ph[16..24].copy_from_slice(&paddr.to_le_bytes());
            ph[24..32].copy_from_slice(&paddr.to_le_bytes());
            ph[32..40].copy_from_slice(&filesz.to_le_bytes());
            ph[40..48].copy_from_slice(&(filesz + 4096).to_le_bytes());
        }
        out
    }

    fn header() -> Vec<u8> {
        let mut h = vec![0x11u8; 64];
        h[0x38..0x3c].copy_from_slice(b"ARM\x64");
        h
    }

    #[test]
    fn segments_are_laid_out_from_address_0() {
        let text = header();
        let data = [0xaa, 0xbb, 0xcc];
        // Given out of order, with a gap between them.
        let image = flat_image(&elf(EM_AARCH64, &[(0x1000, &data), (0, &text)], &[])).unwrap();
        assert_eq!(image.len(), 0x1003);
        assert_eq!(&image[..64], &text[..]);
        assert!(image[64..0x1000].iter().all(|&b| b == 0), "the gap is zero");
        assert_eq!(&image[0x1000..], &data);
    }

    #[test]
    fn what_is_not_an_arm64_image_is_refused() {
        let text = header();
        let e = flat_image(&elf(62, &[(0, &text)], &[])).unwrap_err();
        assert!(e.contains("AArch64"), "{e}");
        let e = flat_image(&elf(EM_AARCH64, &[(0, &[0u8; 64])], &[])).unwrap_err();
        assert!(e.contains("Image header"), "{e}");
        let e = flat_image(&elf(EM_AARCH64, &[], &[])).unwrap_err();
        assert!(e.contains("nothing to load"), "{e}");
        let e = flat_image(&elf(EM_AARCH64, &[(0, &text), (1 << 32, &text)], &[])).unwrap_err();
        assert!(e.contains("MiB"), "{e}");
        let e = flat_image(&elf(EM_AARCH64, &[(0x4020_0000, &text)], &[])).unwrap_err();
        assert!(e.contains("linked at 0x40200000, not 0"), "{e}");
        let mut fixed = elf(EM_AARCH64, &[(0, &text)], &[]);
        fixed[16] = 2;
        assert!(flat_image(&fixed).unwrap_err().contains("-pie"));
        let mut cut = elf(EM_AARCH64, &[(0, &text)], &[]);
        cut.truncate(100);
        assert!(flat_image(&cut).unwrap_err().contains("cut short"));
        assert!(flat_image(b"\x7fELF\x01\x01")
            .unwrap_err()
            .contains("64-bit"));
    }

    /// The text (header) and a data page whose first 24 * `n` bytes
    /// are `relocations` (offset, info, addend), as the dynamic section
    /// names them.
    fn relocated(
        relocations: &[(u64, u64, u64)],
        dynamic: &[(u64, u64)],
    ) -> Result<Vec<u8>, String> {
        let mut data = vec![0u8; 0x100];
        for (i, &(offset, info, addend)) in relocations.iter().enumerate() {
            let at = i * 24;
            data[at..at + 8].copy_from_slice(&offset.to_le_bytes());
            data[at + 8..at + 16].copy_from_slice(&info.to_le_bytes());
            data[at + 16..at + 24].copy_from_slice(&addend.to_le_bytes());
        }
        let mut tags = vec![
            (DT_RELA, 0x1000),
            (DT_RELASZ, 24 * relocations.len() as u64),
            (DT_RELAENT, 24),
        ];
        tags.extend_from_slice(dynamic);
        tags.push((DT_NULL, 0));
        flat_image(&elf(EM_AARCH64, &[(0, &header()), (0x1000, &data)], &tags))
    }

    #[test]
    fn relative_relocations_in_the_loaded_bytes_are_kept() {
        let image = relocated(
            &[
                (0x10f0, R_AARCH64_RELATIVE, 0x40),
                (0x08, R_AARCH64_RELATIVE, 0),
            ],
            &[],
        )
        .unwrap();
        // The table travels in the image, unapplied: the entry applies it.
        assert_eq!(&image[0x1000..0x1008], &0x10f0u64.to_le_bytes());
        assert_eq!(&image[0x1010..0x1018], &0x40u64.to_le_bytes());
        assert_eq!(&image[0x10f0..0x10f8], &[0; 8]);
    }

    #[test]
    fn relocations_the_entry_cannot_apply_are_refused() {
        // R_AARCH64_ABS64 against symbol 1.
        let e = relocated(&[(0x10f0, 1 << 32 | 257, 0)], &[]).unwrap_err();
        assert!(e.contains("type 257 (symbol 1)"), "{e}");
        // A place in .bss (zeroed after relocating), or unaligned.
        let e = relocated(&[(0x2000, R_AARCH64_RELATIVE, 0)], &[]).unwrap_err();
        assert!(e.contains("0x2000"), "{e}");
        let e = relocated(&[(0x10f4, R_AARCH64_RELATIVE, 0)], &[]).unwrap_err();
        assert!(e.contains("0x10f4"), "{e}");
        // RELR or REL tables, a table outside the file's bytes.
        let e = relocated(&[], &[(DT_RELR, 0x1000)]).unwrap_err();
        assert!(e.contains("dynamic tag 36"), "{e}");
        let e = relocated(
            &[(0x10f0, R_AARCH64_RELATIVE, 0)],
            &[(DT_RELA, 0x5000_0000)],
        )
        .unwrap_err();
        assert!(e.contains("not in the image's loaded bytes"), "{e}");
    }
}
