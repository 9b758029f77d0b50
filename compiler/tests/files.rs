//! Files a configuration names (DNSServer's zones): read relative to the
//! configuration by `nfc check` and `nfc click`, errors shown in the zone
//! file with a caret, a missing file named with its element, and
//! embedded by `nfc compile` into the program it builds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nfc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nfc"))
}

/// A fresh directory holding `dns.click` (with `config`) and a `zones/`
/// directory with the DNS oracle's test zones, plus `bad.zone`, whose
/// line 3 has a bad TTL.
fn scene(name: &str, config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nfc-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("zones")).unwrap();
    let zones = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/dns/zones");
    for zone in ["example.com.zone", "2.0.192.in-addr.arpa.zone"] {
        std::fs::copy(zones.join(zone), dir.join("zones").join(zone)).unwrap();
    }
    std::fs::write(
        dir.join("zones/bad.zone"),
        "$ORIGIN bad.example.\n@ 3600 IN SOA ns hostmaster 1 2 3 4 5\nwww 1x IN A 192.0.2.1\n",
    )
    .unwrap();
    std::fs::write(dir.join("dns.click"), config).unwrap();
    dir
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// Runs `nfc ARGS` in `cwd` (not the configuration's directory, so that
/// relative file names must be found beside the configuration).
fn run(cwd: &Path, args: &[&str]) -> Output {
    nfc().current_dir(cwd).args(args).output().unwrap()
}

const GOOD: &str = "Idle -> dns :: DNSServer(ZONE zones/example.com.zone, \
                    ZONE zones/2.0.192.in-addr.arpa.zone) -> Discard;\n";

#[test]
fn check_shows_a_zone_error_in_the_zone_file_with_a_caret() {
    let dir = scene(
        "bad",
        "Idle -> dns :: DNSServer(ZONE zones/bad.zone) -> Discard;\n",
    );
    let o = run(
        &std::env::temp_dir(),
        &["check", dir.join("dns.click").to_str().unwrap()],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let zone = dir.join("zones/bad.zone");
    assert!(err.contains(&format!("{}:3:5", zone.display())), "{err}");
    assert!(err.contains("www 1x IN A 192.0.2.1"), "{err}");
    assert!(err.contains("    ^^ read by `dns` :: DNSServer"), "{err}");
    assert!(err.contains("error: DNSServer: ZONE:"), "{err}");
    assert!(err.contains("1 error found"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_file_is_named_with_its_element() {
    let dir = scene(
        "missing",
        "Idle -> dns :: DNSServer(ZONE zones/nothere.zone) -> Discard;\n",
    );
    let config = dir.join("dns.click");
    for command in ["check", "click"] {
        let o = run(&std::env::temp_dir(), &[command, config.to_str().unwrap()]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{command}: {err}");
        assert!(
            err.contains("zones/nothere.zone: No such file"),
            "{command}: {err}"
        );
        assert!(
            err.contains(&dir.join("zones/nothere.zone").display().to_string()),
            "{err}"
        );
        assert!(
            err.contains("in the configuration of `dns`"),
            "{command}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_and_click_read_zones_beside_the_configuration() {
    let dir = scene("good", GOOD);
    let config = dir.join("dns.click");
    let o = run(&std::env::temp_dir(), &["check", config.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // The generic runner builds the element with its zones.
    let o = run(
        &std::env::temp_dir(),
        &["click", "-q", "-h", "dns.zones", config.to_str().unwrap()],
    );
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.contains("example.com"), "{out}");
    assert!(out.contains("2.0.192.in-addr.arpa"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn generated_code_embeds_the_files_and_builds_for_linux() {
    let dir = scene("compile", GOOD);
    let config = dir.join("dns.click");
    let emit = dir.join("emit");
    let program = dir.join("dns-program");
    let o = run(
        &dir.join("zones"),
        &[
            "compile",
            config.to_str().unwrap(),
            "--plat",
            "linux",
            "--emit",
            emit.to_str().unwrap(),
            "-o",
            program.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let main = std::fs::read_to_string(emit.join("src/main.rs")).unwrap();
    let zone = dir.join("zones/example.com.zone");
    assert!(
        main.contains(&format!(
            "(\"zones/example.com.zone\", include_bytes!({:?}))",
            zone.to_str().unwrap()
        )),
        "{main}"
    );
    assert!(
        main.contains("e::DNSServer::configure_with_files("),
        "{main}"
    );
    assert!(
        main.contains("static FILES: nfc_dataplane::files::Embedded"),
        "{main}"
    );
    // The program configures the element from the embedded zones, with
    // the zone files gone from disk.
    std::fs::remove_dir_all(dir.join("zones")).unwrap();
    let o = Command::new(&program)
        .args(["--max-rounds", "2"])
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("nfc: ready dns"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_generated_source_changes_when_a_file_does() {
    let dir = scene("hash", GOOD);
    let config = dir.join("dns.click");
    let generate = || {
        let input = nfc::cli::Input::read(config.to_str().unwrap()).unwrap();
        let outcome = nfc::cli::load(&input, &[], false);
        nfc::codegen::generate(
            outcome.graph.as_ref().unwrap(),
            outcome.ports.as_deref().unwrap(),
            "dns",
            &input.source.name,
            nfc::codegen::Plat::Linux,
            nfc::codegen::Shape::Program,
        )
        .unwrap()
    };
    let before = generate();
    let zone = dir.join("zones/example.com.zone");
    let text = std::fs::read_to_string(&zone).unwrap();
    std::fs::write(&zone, text.replace("192.0.2.80", "192.0.2.79")).unwrap();
    let after = generate();
    assert_ne!(before, after, "the contents hash of the zone changed");
    std::fs::remove_dir_all(&dir).unwrap();
}
