//! Crashing on purpose: `nfc.crash=page-fault`, `nfc.crash=invalid-opcode`
//! or `nfc.crash=panic` on the kernel command line makes an image fault
//! right after boot, as Linux's `sysrq c` does, so that an operator (and
//! the tests) can see a fault report reach the console. The machine layer
//! supplies the two faults (an access to an unmapped address, an undefined
//! instruction); the panic is the same everywhere.

/// Crashes as the command line asks, with `page_fault` or `invalid_opcode`
/// (which must not return) or a panic; any other `nfc.crash=` value, or
/// none, returns.
pub fn if_asked(cmdline: &str, page_fault: impl FnOnce(), invalid_opcode: impl FnOnce()) {
    match cmdline
        .split_ascii_whitespace()
        .find_map(|w| w.strip_prefix("nfc.crash="))
    {
        Some("page-fault") => page_fault(),
        Some("invalid-opcode") => invalid_opcode(),
        Some("panic") => panic!("nfc.crash=panic on the command line"),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_picks_the_crash() {
        let picked = |cmdline: &str| {
            let which = core::cell::Cell::new("");
            if_asked(
                cmdline,
                || which.set("page fault"),
                || which.set("invalid opcode"),
            );
            which.get()
        };
        assert_eq!(picked("console=ttyS0 nfc.crash=page-fault"), "page fault");
        assert_eq!(picked("nfc.crash=invalid-opcode x"), "invalid opcode");
        assert_eq!(picked("nfc.crash=other nfc.crashes=page-fault"), "");
        assert_eq!(picked(""), "");
        let panicked = std::panic::catch_unwind(|| if_asked("nfc.crash=panic", || {}, || {}));
        assert!(panicked.is_err());
    }
}
