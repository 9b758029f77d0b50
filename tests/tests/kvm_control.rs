//! Control of a running KVM image: `tests/kvm/control.click` (a
//! RatedSource whose packets a Switch sends to one of two counters) runs
//! until it is stopped. On q35, pc and microvm under TCG the test talks
//! Click's ControlSocket protocol over the serial console: a counter read
//! twice grows, a write to the switch moves the packets to the other
//! counter, unknown elements and handlers get 510 and 511. Then it stops
//! the image: on q35 and pc with the ACPI power button (`system_powerdown`
//! on QEMU's monitor), which prints `nfc: stopped power button` and the
//! counters; on microvm (`acpi=off`, no ACPI, so `system_powerdown` does
//! nothing, which the test checks) with `WRITE stop`. Either way QEMU ends
//! by itself (the image resets, QEMU runs with `-no-reboot`). If
//! qemu-system-x86_64 is missing the test fails and names the Debian
//! package; it never skips.

use std::path::PathBuf;
use std::time::Duration;

use nfc::codegen::Plat;
use nfc::qemu::{Machine, Vm};
use nfc_tests::vm::{self, Running};

/// The longest wait for a boot, a reply or the end.
const WAIT: Duration = Duration::from_secs(120);

/// The image, built once for every test of this file.
fn image() -> PathBuf {
    vm::image(
        env!("CARGO_TARGET_TMPDIR"),
        "tests/kvm/control.click",
        Plat::Kvm,
    )
}

/// Reads counter handler `handler` over the console.
fn read_count(vm: &mut Running, handler: &str) -> u64 {
    let reply = vm.ask(&format!("READ {handler}"), WAIT);
    assert_eq!(
        reply.lines,
        [format!("200 Read handler '{handler}' OK")],
        "{}",
        vm.console()
    );
    let data = reply.data.expect("a DATA reply");
    data.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{handler}: {data:?} is not a count"))
}

/// The value of `name` in the stop report's `name value` lines.
fn reported(console: &str, name: &str) -> u64 {
    console
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no `{name}` in the stop report:\n{console}"))
}

/// Boots the image on `machine`, works its handlers, stops it (power
/// button or `WRITE stop`) and checks the stop report.
fn control(machine: Machine) {
    let mut vm = Vm::new(image());
    vm.machine = machine;
    let monitor = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("control-{machine}.mon"));
    let _ = std::fs::remove_file(&monitor);
    vm.monitor = Some(monitor);
    let mut run = Running::start(&vm);
    let boot = run.wait_for("nfc: ready control 0 nics\n", WAIT);
    run.wait_for("Click::ControlSocket/1.3\n", WAIT);
    assert!(
        !boot.contains("no ACPI power button"),
        "{machine}: the power button should work:\n{boot}"
    );

    // A counter that grows.
    let first = read_count(&mut run, "c.count");
    std::thread::sleep(Duration::from_millis(300));
    let second = read_count(&mut run, "c.count");
    assert!(second > first, "{machine}: c.count {first} then {second}");
    assert_eq!(
        read_count(&mut run, "b.count"),
        0,
        "{machine}: nothing on sw[1] yet"
    );

    // A write changes what the configuration does.
    let reply = run.ask("WRITE sw.switch 1", WAIT);
    assert_eq!(reply.lines, ["200 Write handler 'sw.switch' OK"]);
    let (a1, b1) = (
        read_count(&mut run, "a.count"),
        read_count(&mut run, "b.count"),
    );
    std::thread::sleep(Duration::from_millis(300));
    let (a2, b2) = (
        read_count(&mut run, "a.count"),
        read_count(&mut run, "b.count"),
    );
    assert!(a1 > 0, "{machine}: a counted before the switch");
    assert_eq!(a1, a2, "{machine}: a counts no more after the switch");
    assert!(
        b2 > b1,
        "{machine}: b.count {b1} then {b2} after the switch"
    );
    let reply = run.ask("READ sw.switch", WAIT);
    assert_eq!(reply.data.as_deref(), Some("1"));

    // Errors carry Click's codes.
    let reply = run.ask("READ nosuch.count", WAIT);
    assert_eq!(reply.lines, ["510 No element named 'nosuch'"]);
    let reply = run.ask("READ c.nosuch", WAIT);
    assert_eq!(reply.lines, ["511 No handler named 'c.nosuch'"]);

    let (console, ended) = if machine == Machine::Microvm {
        // No ACPI: the power button goes nowhere and the image runs on.
        run.monitor("system_powerdown");
        std::thread::sleep(Duration::from_secs(2));
        let later = read_count(&mut run, "b.count");
        assert!(
            later > b2,
            "{machine}: still running after system_powerdown"
        );
        assert!(!run.console().contains("nfc: stopped"), "{}", run.console());
        let reply = run.ask("WRITE stop", WAIT);
        assert_eq!(reply.lines, ["200 Write handler 'stop' OK"]);
        run.wait_for("nfc: stopped control\n", WAIT);
        run.finish(WAIT)
    } else {
        run.monitor("system_powerdown");
        run.wait_for("nfc: stopped power button\n", WAIT);
        run.finish(WAIT)
    };
    assert!(ended, "{machine}: QEMU did not end by itself:\n{console}");
    let (c, a, b) = (
        reported(&console, "c.count"),
        reported(&console, "a.count"),
        reported(&console, "b.count"),
    );
    assert!(
        c >= second && b >= b2,
        "{machine}: counters went back:\n{console}"
    );
    assert_eq!(a, a2, "{machine}: a.count in the report:\n{console}");
    assert_eq!(c, a + b, "{machine}: every packet counted once:\n{console}");
    assert!(
        !console.contains("fault") && !console.contains("panic"),
        "{console}"
    );
}

#[test]
fn power_button_on_q35() {
    control(Machine::Q35);
}

#[test]
fn power_button_on_pc() {
    control(Machine::Pc);
}

#[test]
fn write_stop_on_microvm_without_acpi() {
    control(Machine::Microvm);
}
