//! `nfc run CONFIG --plat xen`: the image is compiled, the domain's xl
//! configuration written and printed, and `xl create -c` started on it.
//! A stand-in `xl` (first on PATH) records how it was called, so the test
//! never starts a domain even on a host with Xen; without any `xl`, nfc
//! says where to run the command instead.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn run_writes_the_xl_config_and_starts_xl_create() {
    let dir = std::env::temp_dir().join(format!("nfc-run-xen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let xl = dir.join("xl");
    let called = dir.join("called");
    std::fs::write(
        &xl,
        format!("#!/bin/sh\necho \"$@\" > {}\n", called.display()),
    )
    .unwrap();
    std::fs::set_permissions(&xl, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_nfc"))
        .args([
            "run",
            "configs/firewall.click",
            "--plat",
            "xen",
            "--memory",
            "8",
        ])
        .args(["--nic", "bridge:xenbr0,mac=02:00:00:00:00:01"])
        .args(["--nic", "bridge:xenbr1,mac=02:00:00:00:00:02", "--", "-p"])
        .current_dir(root())
        .env("PATH", &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let cfg = std::env::temp_dir().join("nfc-run-firewall.cfg");
    let image = std::env::temp_dir().join("nfc-run-firewall.xen");
    for line in [
        "name = \"nfc-firewall\"".to_string(),
        "type = \"pvh\"".into(),
        format!("kernel = \"{}\"", image.display()),
        "memory = 8".into(),
        "vif = [ 'mac=02:00:00:00:00:01,bridge=xenbr0', 'mac=02:00:00:00:00:02,bridge=xenbr1' ]"
            .into(),
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line} in:\n{stdout}");
    }
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), stdout);
    // The image is a PVH ELF.
    let elf = std::fs::read(&image).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    let called = std::fs::read_to_string(&called).unwrap();
    assert_eq!(called.trim(), format!("create -c {} -p", cfg.display()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_vif_that_is_not_a_bridge_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_nfc"))
        .args([
            "run",
            "configs/firewall.click",
            "--plat",
            "xen",
            "--nic",
            "tap:tap0",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bridge:NAME"), "{stderr}");
}
