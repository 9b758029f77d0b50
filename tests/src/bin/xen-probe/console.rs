//! A domain's PV console as dom0 reaches it: the pty xenconsoled made
//! (named in xenstore `/local/domain/<id>/console/tty`; xenconsoled sets
//! it raw), spoken to in Click's ControlSocket protocol. Replies are read
//! with [`Reply::parse`], past whatever else the console prints.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use nfc_tests::vm::Reply;

/// A domain's PV console.
pub struct PvConsole {
    tty: File,
    /// Everything read from it (CRs removed).
    text: String,
    /// Where in `text` the next reply is looked for.
    seen: usize,
}

impl PvConsole {
    /// Opens pty `path`, not blocking.
    pub fn open(path: &str) -> Result<PvConsole, String> {
        let tty = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .map_err(|e| format!("the PV console {path}: {e}"))?;
        Ok(PvConsole {
            tty,
            text: String::new(),
            seen: 0,
        })
    }

    /// Reads what is waiting.
    fn read(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 4096];
        loop {
            match self.tty.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => self
                    .text
                    .push_str(&String::from_utf8_lossy(&buf[..n]).replace('\r', "")),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("reading the PV console: {e}")),
            }
        }
    }

    /// Sends `command` (CRLF added) and waits, at most `timeout`, for its
    /// reply after the previous one.
    pub fn ask(&mut self, command: &str, timeout: Duration) -> Result<Reply, String> {
        self.read()?;
        self.tty
            .write_all(format!("{command}\r\n").as_bytes())
            .map_err(|e| format!("writing `{command}` to the PV console: {e}"))?;
        let data = Reply::brings_data(command);
        let deadline = Instant::now() + timeout;
        loop {
            self.read()?;
            if let Some((reply, used)) = Reply::parse(&self.text[self.seen..], data) {
                self.seen += used;
                return Ok(reply);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no reply to `{command}` on the PV console in {timeout:?}; it printed:\n{}",
                    &self.text[self.seen..]
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Types `text` into the console.
    pub fn type_in(&mut self, text: &str) -> Result<(), String> {
        self.tty
            .write_all(text.as_bytes())
            .map_err(|e| format!("writing to the PV console: {e}"))
    }
}
