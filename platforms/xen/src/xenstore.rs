//! A xenstore client over the shared ring (`io/xs_wire.h`).
//!
//! xenstore is the tree where the toolstack, back ends and guests meet:
//! a guest reads its vifs' MACs and back-end paths there, writes its ring
//! references for netback, and watches `control/shutdown`. A PVH guest
//! reaches the daemon through one page (`HVM_PARAM_STORE_PFN`) holding a
//! 1 KiB request ring and a 1 KiB response ring, and an event channel
//! (`HVM_PARAM_STORE_EVTCHN`). Each message is a 16-byte header (type,
//! request id, transaction id, length) and a payload of at most 4 KiB;
//! watch events arrive on the response ring between replies and are kept
//! for [`Xenstore::take_watch_event`]. Relative paths are relative to the
//! domain's home, `/local/domain/<id>`.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{fence, AtomicU32, Ordering};

/// `XENSTORE_RING_SIZE`.
const RING: u32 = 1024;
/// Offsets in the page: the two rings, then the four indices.
const REQ: usize = 0;
const RSP: usize = 1024;
const REQ_CONS: usize = 2048;
const REQ_PROD: usize = 2052;
const RSP_CONS: usize = 2056;
const RSP_PROD: usize = 2060;
/// `XENSTORE_PAYLOAD_MAX`.
const PAYLOAD_MAX: usize = 4096;
/// Bytes in a message header.
const HEADER: usize = 16;

/// Message types (`enum xsd_sockmsg_type`).
mod ty {
    pub const DIRECTORY: u32 = 1;
    pub const READ: u32 = 2;
    pub const WATCH: u32 = 4;
    pub const TRANSACTION_START: u32 = 6;
    pub const TRANSACTION_END: u32 = 7;
    pub const WRITE: u32 = 11;
    pub const WATCH_EVENT: u32 = 15;
    pub const ERROR: u32 = 16;
}

/// How long a request may wait for its reply, ns.
const REPLY_TIMEOUT_NS: u64 = 5_000_000_000;
/// How often a transaction is retried when the store says EAGAIN.
const RETRIES: usize = 16;

/// What the client needs of its surroundings: a way to poke the daemon
/// and to wait for it.
pub trait Link {
    /// Notifies the daemon (the event channel).
    fn notify(&mut self);
    /// Now, ns, on any monotonic clock.
    fn now(&self) -> u64;
    /// Waits a little for the daemon (until it notifies, or a short time).
    fn wait(&mut self);
}

/// A failed xenstore operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The daemon answered with an error (`ENOENT`, `EACCES`, …).
    Daemon(String),
    /// No answer in time.
    Timeout,
    /// A message that breaks the protocol.
    Protocol(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Daemon(e) => write!(f, "xenstore: {e}"),
            Error::Timeout => write!(f, "xenstore: no answer in 5 s"),
            Error::Protocol(e) => write!(f, "xenstore: {e}"),
        }
    }
}

/// A transaction's id (0: none).
pub type Tx = u32;

/// A xenstore client.
pub struct Xenstore<L> {
    page: *mut u8,
    link: L,
    next_id: u32,
    /// Watch events read while waiting for replies: (path, token).
    events: VecDeque<(String, String)>,
    /// The bytes of a message not yet whole.
    partial: Vec<u8>,
}

impl<L: Link> Xenstore<L> {
    /// A client on the ring page `page`.
    ///
    /// # Safety
    ///
    /// `page` is the xenstore ring page, mapped for the client's life and
    /// used by no one else in this domain.
    pub unsafe fn new(page: *mut u8, link: L) -> Xenstore<L> {
        Xenstore {
            page,
            link,
            next_id: 1,
            events: VecDeque::new(),
            partial: Vec::new(),
        }
    }

    /// The link (for its clock).
    pub fn link(&self) -> &L {
        &self.link
    }

    /// Waits a little for the daemon or anything else ([`Link::wait`]).
    pub fn wait(&mut self) {
        self.link.wait();
    }

    fn index(&self, offset: usize) -> &AtomicU32 {
        // SAFETY: an aligned u32 in the ring page (see `new`).
        unsafe { &*(self.page.add(offset) as *const AtomicU32) }
    }

    /// Copies `bytes` into the request ring, waiting for room.
    fn send(&mut self, mut bytes: &[u8], deadline: u64) -> Result<(), Error> {
        while !bytes.is_empty() {
            let cons = self.index(REQ_CONS).load(Ordering::Acquire);
            let prod = self.index(REQ_PROD).load(Ordering::Relaxed);
            let used = prod.wrapping_sub(cons);
            if used > RING {
                return Err(Error::Protocol("request ring indices out of range"));
            }
            if used == RING {
                if self.link.now() > deadline {
                    return Err(Error::Timeout);
                }
                self.link.wait();
                continue;
            }
            let at = prod % RING;
            let n = ((RING - used).min(RING - at) as usize).min(bytes.len());
            for (i, &b) in bytes[..n].iter().enumerate() {
                // SAFETY: within the request ring (at + n <= RING).
                unsafe { self.page.add(REQ + at as usize + i).write_volatile(b) };
            }
            fence(Ordering::Release);
            self.index(REQ_PROD)
                .store(prod.wrapping_add(n as u32), Ordering::Release);
            self.link.notify();
            bytes = &bytes[n..];
        }
        Ok(())
    }

    /// The next whole message from the response ring, if it has
    /// arrived: (type, request id, payload). A message may be longer than
    /// the ring: its bytes are taken as they come and kept until whole.
    fn try_receive(&mut self) -> Result<Option<(u32, u32, Vec<u8>)>, Error> {
        loop {
            let have = self.partial.len();
            let len = if have >= HEADER {
                u32::from_le_bytes([
                    self.partial[12],
                    self.partial[13],
                    self.partial[14],
                    self.partial[15],
                ]) as usize
            } else {
                0
            };
            if len > PAYLOAD_MAX {
                self.partial.clear();
                return Err(Error::Protocol("a reply longer than 4 KiB"));
            }
            let need = if have < HEADER {
                HEADER - have
            } else {
                HEADER + len - have
            };
            if need == 0 {
                let msg = core::mem::take(&mut self.partial);
                let word =
                    |i: usize| u32::from_le_bytes([msg[i], msg[i + 1], msg[i + 2], msg[i + 3]]);
                let (kind, id) = (word(0), word(4));
                let payload = msg[HEADER..].to_vec();
                if kind == ty::WATCH_EVENT {
                    let mut parts = payload
                        .split(|&b| b == 0)
                        .map(|p| String::from_utf8_lossy(p).into_owned());
                    let path = parts.next().unwrap_or_default();
                    let token = parts.next().unwrap_or_default();
                    self.events.push_back((path, token));
                    continue;
                }
                return Ok(Some((kind, id, payload)));
            }
            let prod = self.index(RSP_PROD).load(Ordering::Acquire);
            let cons = self.index(RSP_CONS).load(Ordering::Relaxed);
            let avail = prod.wrapping_sub(cons);
            if avail > RING {
                return Err(Error::Protocol("response ring indices out of range"));
            }
            if avail == 0 {
                return Ok(None);
            }
            let take = need.min(avail as usize);
            for i in 0..take {
                let at = (cons.wrapping_add(i as u32) % RING) as usize;
                // SAFETY: within the response ring.
                self.partial
                    .push(unsafe { self.page.add(RSP + at).read_volatile() });
            }
            fence(Ordering::AcqRel);
            self.index(RSP_CONS)
                .store(cons.wrapping_add(take as u32), Ordering::Release);
            self.link.notify();
        }
    }

    /// Sends a request of type `kind` in transaction `tx` with the
    /// payload `parts` concatenated, and returns the reply's payload.
    fn request(&mut self, kind: u32, tx: Tx, parts: &[&[u8]]) -> Result<Vec<u8>, Error> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len > PAYLOAD_MAX {
            return Err(Error::Protocol("a request longer than 4 KiB"));
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let deadline = self.link.now().saturating_add(REPLY_TIMEOUT_NS);
        let mut header = [0u8; HEADER];
        for (i, v) in [kind, id, tx, len as u32].into_iter().enumerate() {
            header[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        self.send(&header, deadline)?;
        for part in parts {
            self.send(part, deadline)?;
        }
        loop {
            match self.try_receive()? {
                Some((ty::ERROR, rid, payload)) if rid == id => {
                    let e = payload.split(|&b| b == 0).next().unwrap_or_default();
                    return Err(Error::Daemon(String::from_utf8_lossy(e).into_owned()));
                }
                Some((_, rid, payload)) if rid == id => return Ok(payload),
                Some(_) => {} // a stray reply: not ours
                None => {
                    if self.link.now() > deadline {
                        return Err(Error::Timeout);
                    }
                    self.link.wait();
                }
            }
        }
    }

    /// The value at `path`.
    pub fn read(&mut self, path: &str) -> Result<String, Error> {
        let v = self.request(ty::READ, 0, &[path.as_bytes(), b"\0"])?;
        Ok(String::from_utf8_lossy(&v).into_owned())
    }

    /// Writes `value` at `path` within transaction `tx` (0: none).
    pub fn write(&mut self, tx: Tx, path: &str, value: &str) -> Result<(), Error> {
        self.request(ty::WRITE, tx, &[path.as_bytes(), b"\0", value.as_bytes()])
            .map(drop)
    }

    /// The names under `path`.
    pub fn directory(&mut self, path: &str) -> Result<Vec<String>, Error> {
        let v = self.request(ty::DIRECTORY, 0, &[path.as_bytes(), b"\0"])?;
        Ok(v.split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect())
    }

    /// Watches `path` (and what is below it); its events carry `token`.
    /// The store sends one event at once.
    pub fn watch(&mut self, path: &str, token: &str) -> Result<(), Error> {
        self.request(
            ty::WATCH,
            0,
            &[path.as_bytes(), b"\0", token.as_bytes(), b"\0"],
        )
        .map(drop)
    }

    /// Runs `body` in a transaction and commits it, running it again
    /// while the store answers EAGAIN (another writer came first).
    pub fn transaction(
        &mut self,
        mut body: impl FnMut(&mut Self, Tx) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for _ in 0..RETRIES {
            let id = self.request(ty::TRANSACTION_START, 0, &[b"\0"])?;
            let tx: Tx = core::str::from_utf8(id.split(|&b| b == 0).next().unwrap_or_default())
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(Error::Protocol("a transaction id that is not a number"))?;
            if let Err(e) = body(self, tx) {
                let _ = self.request(ty::TRANSACTION_END, tx, &[b"F\0"]);
                return Err(e);
            }
            match self.request(ty::TRANSACTION_END, tx, &[b"T\0"]) {
                Err(Error::Daemon(e)) if e == "EAGAIN" => continue,
                other => return other.map(drop),
            }
        }
        Err(Error::Daemon(
            "EAGAIN (transaction retried 16 times)".into(),
        ))
    }

    /// A watch event that has arrived, if any: (path, token). Never waits.
    pub fn take_watch_event(&mut self) -> Result<Option<(String, String)>, Error> {
        if self.events.is_empty() {
            // Replies cannot be pending here: requests wait for theirs.
            while self.try_receive()?.is_some() {}
        }
        Ok(self.events.pop_front())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::rc::Rc;

    #[repr(C, align(4096))]
    struct Page([u8; 4096]);

    /// A xenstore daemon in the test: reads whole requests off the ring
    /// and answers them, from a map.
    struct Daemon {
        page: *mut u8,
        store: BTreeMap<String, String>,
        watches: Vec<(String, String)>,
        /// Answer the next transaction end with EAGAIN.
        eagain_once: bool,
        next_tx: u32,
        /// Bytes of a request read so far.
        pending: Vec<u8>,
        /// Bytes of replies not yet on the ring.
        out: std::collections::VecDeque<u8>,
    }

    impl Daemon {
        fn idx(&self, o: usize) -> &AtomicU32 {
            // SAFETY: an aligned u32 of the test's page.
            unsafe { &*(self.page.add(o) as *const AtomicU32) }
        }

        /// Puts as much of the queued replies on the ring as fits.
        fn flush(&mut self) {
            let mut prod = self.idx(RSP_PROD).load(Ordering::Relaxed);
            while prod - self.idx(RSP_CONS).load(Ordering::Acquire) < RING {
                let Some(b) = self.out.pop_front() else { break };
                // SAFETY: within the response ring of the test's page.
                unsafe { self.page.add(RSP + (prod % RING) as usize).write(b) };
                prod += 1;
            }
            self.idx(RSP_PROD).store(prod, Ordering::Release);
        }

        fn step(&mut self) {
            self.flush();
            // take what the client wrote
            let (cons, prod) = (
                self.idx(REQ_CONS).load(Ordering::Acquire),
                self.idx(REQ_PROD).load(Ordering::Acquire),
            );
            for i in cons..prod {
                // SAFETY: within the request ring of the test's page.
                let b = unsafe { self.page.add(REQ + (i % RING) as usize).read() };
                self.pending.push(b);
            }
            self.idx(REQ_CONS).store(prod, Ordering::Release);
            while self.pending.len() >= HEADER {
                let w = |b: &[u8], i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
                let len = w(&self.pending, 12) as usize;
                if self.pending.len() < HEADER + len {
                    break;
                }
                let msg: Vec<u8> = self.pending.drain(..HEADER + len).collect();
                let (kind, id, tx) = (w(&msg, 0), w(&msg, 4), w(&msg, 8));
                let body = &msg[HEADER..];
                let fields: Vec<String> = body
                    .split(|&b| b == 0)
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect();
                let mut events = Vec::new();
                let (rk, reply): (u32, Vec<u8>) = match kind {
                    ty::READ => match self.store.get(&fields[0]) {
                        Some(v) => (kind, v.clone().into_bytes()),
                        None => (ty::ERROR, b"ENOENT\0".to_vec()),
                    },
                    ty::WRITE => {
                        let at = body.iter().position(|&b| b == 0).unwrap();
                        let value = String::from_utf8_lossy(&body[at + 1..]).into_owned();
                        assert_ne!(tx, 0, "writes here are in transactions");
                        self.store.insert(fields[0].clone(), value);
                        for (p, t) in &self.watches {
                            if fields[0].starts_with(p.as_str()) {
                                events.push((fields[0].clone(), t.clone()));
                            }
                        }
                        (kind, b"OK\0".to_vec())
                    }
                    ty::DIRECTORY => {
                        let prefix = format!("{}/", fields[0]);
                        let mut names: Vec<String> = self
                            .store
                            .keys()
                            .filter_map(|k| k.strip_prefix(&prefix))
                            .map(|r| r.split('/').next().unwrap().to_string())
                            .collect();
                        names.dedup();
                        let mut out = Vec::new();
                        for n in names {
                            out.extend_from_slice(n.as_bytes());
                            out.push(0);
                        }
                        (kind, out)
                    }
                    ty::WATCH => {
                        self.watches.push((fields[0].clone(), fields[1].clone()));
                        events.push((fields[0].clone(), fields[1].clone()));
                        (kind, b"OK\0".to_vec())
                    }
                    ty::TRANSACTION_START => {
                        self.next_tx += 1;
                        (kind, format!("{}\0", self.next_tx).into_bytes())
                    }
                    ty::TRANSACTION_END if self.eagain_once => {
                        self.eagain_once = false;
                        (ty::ERROR, b"EAGAIN\0".to_vec())
                    }
                    ty::TRANSACTION_END => (kind, b"OK\0".to_vec()),
                    _ => (ty::ERROR, b"ENOSYS\0".to_vec()),
                };
                // a watch event first, between the request and its reply
                for (p, t) in events {
                    let payload = format!("{p}\0{t}\0").into_bytes();
                    self.respond(ty::WATCH_EVENT, 0, &payload);
                }
                self.respond(rk, id, &reply);
            }
        }

        fn respond(&mut self, kind: u32, id: u32, payload: &[u8]) {
            let mut m = Vec::new();
            for v in [kind, id, 0, payload.len() as u32] {
                m.extend_from_slice(&v.to_le_bytes());
            }
            m.extend_from_slice(payload);
            self.out.extend(m);
            self.flush();
        }
    }

    /// The client's link: waiting runs the daemon; time is the number of
    /// waits.
    struct TestLink {
        daemon: Rc<RefCell<Daemon>>,
        waits: std::cell::Cell<u64>,
        notified: u64,
    }

    impl Link for TestLink {
        fn notify(&mut self) {
            self.notified += 1;
        }
        fn now(&self) -> u64 {
            self.waits.get() * 1_000_000
        }
        fn wait(&mut self) {
            self.waits.set(self.waits.get() + 1);
            self.daemon.borrow_mut().step();
        }
    }

    fn setup() -> (Box<Page>, Rc<RefCell<Daemon>>, Xenstore<TestLink>) {
        let mut page = Box::new(Page([0; 4096]));
        let p = page.0.as_mut_ptr();
        let daemon = Rc::new(RefCell::new(Daemon {
            page: p,
            store: BTreeMap::new(),
            watches: Vec::new(),
            eagain_once: false,
            next_tx: 0,
            pending: Vec::new(),
            out: Default::default(),
        }));
        let link = TestLink {
            daemon: daemon.clone(),
            waits: std::cell::Cell::new(0),
            notified: 0,
        };
        // SAFETY: the page lives as long as the test.
        let xs = unsafe { Xenstore::new(p, link) };
        (page, daemon, xs)
    }

    #[test]
    fn reads_writes_lists_and_errors() {
        let (_page, daemon, mut xs) = setup();
        daemon
            .borrow_mut()
            .store
            .insert("device/vif/0/mac".into(), "00:16:3e:00:00:01".into());
        daemon
            .borrow_mut()
            .store
            .insert("device/vif/1/mac".into(), "00:16:3e:00:00:02".into());
        assert_eq!(xs.read("device/vif/0/mac").unwrap(), "00:16:3e:00:00:01");
        assert_eq!(xs.directory("device/vif").unwrap(), ["0", "1"]);
        assert_eq!(
            xs.read("device/vif/7/mac"),
            Err(Error::Daemon("ENOENT".into()))
        );
        assert!(xs.link().notified > 0);
        // Many requests: the indices wrap round the 1 KiB rings many times.
        for i in 0..500 {
            assert_eq!(
                xs.read("device/vif/1/mac").unwrap(),
                "00:16:3e:00:00:02",
                "{i}"
            );
        }
    }

    #[test]
    fn transactions_retry_on_eagain_and_values_longer_than_the_ring_cross() {
        let (_page, daemon, mut xs) = setup();
        daemon.borrow_mut().eagain_once = true;
        let long = "x".repeat(3000);
        let mut runs = 0;
        xs.transaction(|xs, tx| {
            runs += 1;
            xs.write(tx, "device/vif/0/tx-ring-ref", "8")?;
            xs.write(tx, "data/long", &long)
        })
        .unwrap();
        assert_eq!(runs, 2, "run again after EAGAIN");
        assert_eq!(xs.read("data/long").unwrap(), long);
        assert_eq!(xs.read("device/vif/0/tx-ring-ref").unwrap(), "8");
    }

    #[test]
    fn watch_events_are_kept_for_later() {
        let (_page, _daemon, mut xs) = setup();
        xs.watch("control/shutdown", "shutdown").unwrap();
        assert_eq!(
            xs.take_watch_event().unwrap(),
            Some(("control/shutdown".into(), "shutdown".into())),
            "the first event comes at once"
        );
        assert_eq!(xs.take_watch_event().unwrap(), None);
        xs.transaction(|xs, tx| xs.write(tx, "control/shutdown", "poweroff"))
            .unwrap();
        assert_eq!(
            xs.take_watch_event().unwrap(),
            Some(("control/shutdown".into(), "shutdown".into()))
        );
        assert_eq!(xs.read("control/shutdown").unwrap(), "poweroff");
    }

    #[test]
    fn a_silent_daemon_times_out() {
        struct Deaf(u64);
        impl Link for Deaf {
            fn notify(&mut self) {}
            fn now(&self) -> u64 {
                self.0
            }
            fn wait(&mut self) {
                self.0 += 100_000_000;
            }
        }
        let mut page = Box::new(Page([0; 4096]));
        // SAFETY: the page lives as long as the test.
        let mut xs = unsafe { Xenstore::new(page.0.as_mut_ptr(), Deaf(0)) };
        assert_eq!(xs.read("domid"), Err(Error::Timeout));
    }
}
