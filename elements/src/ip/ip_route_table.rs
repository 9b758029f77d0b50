//! Route tables, shared by RadixIPLookup, StaticIPLookup (and its alias
//! LookupIPRoute), DirectIPLookup and LinearIPLookup: the route syntax (one
//! route per argument, `ADDR/MASK [GATEWAY] OUTPUT`), the table of routes
//! with Click's IPRouteTable handlers (`table`, `lookup`, `add`, `set`,
//! `remove`, `ctrl`, `flush`), and the longest-prefix-match structures
//! behind the elements:
//!
//! - [`Linear`]: a scan of every route, for a handful of routes
//!   (LinearIPLookup, StaticIPLookup).
//! - [`Trie`]: a multibit trie with controlled prefix expansion: a first
//!   level indexed by the top `TOP` address bits, then 256-entry chunks for
//!   each further 8 bits, each entry holding either the best route for its
//!   whole address range (leaf pushing) or a child chunk. A lookup is one
//!   load per level and a branch. RadixIPLookup uses strides 16-8-8 (at
//!   most three loads, 256 KiB first level); DirectIPLookup uses 24-8, the
//!   DIR-24-8 layout of Click's DirectIPLookup (at most two loads, 32 MiB
//!   first level of 16-bit entries).
//!
//! Routes are stored once, in slots whose index the structures hold;
//! adding and removing a route updates the structure in place (no rebuild),
//! so handlers stay cheap on large tables.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::{format, vec::Vec};
use core::fmt::{self, Write};
use core::net::Ipv4Addr;

use nfc_dataplane::args::{split, split_words, uncomment, ConfigError, ConfigErrors};
use nfc_dataplane::element::{HandlerError, Out};
use nfc_dataplane::packet::Packet;
use nfc_dataplane::parse::{self, IpPrefix};

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// Destination prefix, host bits cleared (Click clears them too).
    pub prefix: IpPrefix,
    /// Next hop written into the destination address annotation, if any
    /// (a gateway of 0.0.0.0 counts as none).
    pub gateway: Option<Ipv4Addr>,
    /// Output port.
    pub output: u32,
}

const ROUTE_HINT: &str = "a route looks like 10.0.0.0/8 1, or 0.0.0.0/0 10.0.0.1 2 with a gateway";

/// Parses one route (`text` starts at byte `base` of the config string). A
/// gateway of `-` means none, as in Click's `table` output.
pub fn parse_route(text: &str, base: usize) -> Result<Route, ConfigError> {
    let words = split_words(text);
    let at = |r: &core::ops::Range<usize>| Some(base + r.start..base + r.end);
    let whole = Some(base..base + text.len());
    let (pw, gw, ow) = match words.as_slice() {
        [p, o] => (p, None, o),
        [p, g, o] => (p, Some(g), o),
        _ => {
            return Err(ConfigError::new(
                whole,
                format!(
                    "expected 'ADDR/MASK [GATEWAY] OUTPUT', found {} words",
                    words.len()
                ),
            )
            .with_hint(ROUTE_HINT))
        }
    };
    let mut prefix = parse::ip_prefix(&pw.0).map_err(|e| ConfigError {
        span: at(&pw.1),
        message: e.message,
        hint: e.hint,
    })?;
    prefix.addr = prefix.network();
    let gateway = match gw {
        None => None,
        Some((g, _)) if g == "-" => None,
        Some((g, r)) => {
            let a = parse::ipv4(g).map_err(|e| ConfigError {
                span: at(r),
                message: format!("bad gateway: {}", e.message),
                hint: e.hint,
            })?;
            (!a.is_unspecified()).then_some(a)
        }
    };
    let output = parse::unsigned::<u32>(&ow.0).map_err(|e| ConfigError {
        span: at(&ow.1),
        message: format!("bad output port: {}", e.message),
        hint: Some("the last word of a route is its output port number".into()),
    })?;
    Ok(Route {
        prefix,
        gateway,
        output,
    })
}

/// Parses a whole route-table configuration, reporting every bad route.
pub fn parse_routes(config: &str) -> Result<Vec<Route>, ConfigErrors> {
    let mut routes = Vec::new();
    let mut errors = Vec::new();
    for arg in split(config) {
        let text = config.get(arg.span.clone()).unwrap_or(&arg.text);
        match parse_route(text, arg.span.start) {
            Ok(r) => routes.push(r),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(routes)
    } else {
        Err(ConfigErrors(errors))
    }
}

/// The smallest number of outputs the routes need.
pub fn min_noutputs(routes: &[Route]) -> usize {
    routes
        .iter()
        .map(|r| r.output as usize + 1)
        .max()
        .unwrap_or(0)
}

/// Parses a route table's configuration and builds the table, reporting
/// every bad route (and a table too large for `L`).
pub fn configure_table<L: Lpm>(config: &str) -> Result<(Vec<Route>, RouteTable<L>), ConfigErrors> {
    let routes = parse_routes(config)?;
    let table = RouteTable::new(&routes)
        .map_err(|m| ConfigErrors(alloc::vec![ConfigError::new(None, m)]))?;
    Ok((routes, table))
}

/// What `nfc check` runs for a route table: the routes parse and fit in
/// `L` (without building the table); the outputs they need.
pub fn check_routes<L: Lpm>(config: &str) -> Result<crate::Ports, ConfigErrors> {
    let routes = parse_routes(config)?;
    if routes.len() > L::MAX_ROUTES {
        return Err(ConfigErrors(alloc::vec![ConfigError::new(
            None,
            format!(
                "{} routes; this table holds at most {}",
                routes.len(),
                L::MAX_ROUTES
            ),
        )
        .with_hint("use RadixIPLookup for large tables")]));
    }
    Ok(crate::Ports::outputs_at_least(
        min_noutputs(&routes),
        "up to the highest output a route names",
    ))
}

/// Writes `r` as Click's `IPRoute::unparse` does: prefix, gateway (`-` for
/// none) and output, separated by tabs (padded to columns) or spaces.
fn unparse(out: &mut String, r: &Route, tabs: bool) {
    let start = out.len();
    let sep = if tabs { '\t' } else { ' ' };
    let _ = write!(out, "{}/{}{sep}", r.prefix.addr, r.prefix.len);
    if tabs && out.len() < start + 17 {
        out.push('\t');
    }
    let start = out.len();
    match r.gateway {
        Some(g) => {
            let _ = write!(out, "{g}{sep}");
        }
        None => {
            out.push('-');
            out.push(sep);
        }
    }
    if tabs && out.len() < start + 9 {
        out.push('\t');
    }
    let _ = write!(out, "{}", r.output);
}

/// A route as error messages quote it.
fn quoted(r: &Route) -> String {
    let mut s = String::new();
    unparse(&mut s, r, false);
    s
}

/// The netmask of a prefix length.
fn mask(len: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0)
}

/// What a handler names: a prefix, and the gateway and output (the output
/// may be missing in a `remove`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RouteArg {
    prefix: IpPrefix,
    gateway: Option<Ipv4Addr>,
    output: Option<u32>,
}

/// Parses a handler's route, as Click's `cp_ip_route`: `ADDR/MASK
/// [GATEWAY|-] OUTPUT`, the output optional when `remove`.
fn parse_route_arg(text: &str, remove: bool) -> Result<RouteArg, HandlerError> {
    let bad = || {
        HandlerError::Invalid(String::from(if remove {
            "expected 'ADDR/MASK [GATEWAY OUTPUT]'"
        } else {
            "expected 'ADDR/MASK [GATEWAY] OUTPUT'"
        }))
    };
    let words = split_words(text);
    let mut w = words.iter().map(|(w, _)| w.as_str());
    let mut prefix = w
        .next()
        .and_then(|p| parse::ip_prefix(p).ok())
        .ok_or_else(bad)?;
    prefix.addr = prefix.network();
    let mut next = w.next();
    let mut gateway = None;
    if let Some(g) = next {
        if g == "-" || parse::ipv4(g).is_ok() {
            gateway = parse::ipv4(g).ok().filter(|a| !a.is_unspecified());
            next = w.next();
        }
    }
    let output = match next {
        Some(o) => Some(parse::unsigned::<u32>(o).map_err(|_| bad())?),
        None if remove => None,
        None => return Err(bad()),
    };
    if w.next().is_some() {
        return Err(bad());
    }
    Ok(RouteArg {
        prefix,
        gateway,
        output,
    })
}

/// How a route table finds the longest matching prefix. The routes live in
/// the table's slots; the structure refers to them by slot index.
pub trait Lpm: Clone + PartialEq + Eq + fmt::Debug {
    /// Most routes the structure can refer to.
    const MAX_ROUTES: usize;

    /// An empty structure.
    fn empty() -> Self;

    /// Makes route `idx` of `slots` findable; `Err` when the structure is
    /// full (nothing changed then).
    fn insert(&mut self, slots: &[Option<Route>], idx: usize) -> Result<(), &'static str>;

    /// Forgets route `idx` of `slots` (still stored there); the addresses
    /// it covered find `fallback` instead: the best route covering its whole
    /// prefix, if any.
    fn remove(&mut self, slots: &[Option<Route>], idx: usize, fallback: Option<usize>);

    /// The slot of the longest-prefix route for `addr`.
    fn lookup(&self, slots: &[Option<Route>], addr: u32) -> Option<usize>;
}

/// Longest-prefix match by a scan of every route: no structure at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Linear;

impl Lpm for Linear {
    const MAX_ROUTES: usize = usize::MAX;

    fn empty() -> Linear {
        Linear
    }

    fn insert(&mut self, _: &[Option<Route>], _: usize) -> Result<(), &'static str> {
        Ok(())
    }

    fn remove(&mut self, _: &[Option<Route>], _: usize, _: Option<usize>) {}

    #[inline]
    fn lookup(&self, slots: &[Option<Route>], addr: u32) -> Option<usize> {
        let mut best: Option<(usize, u8)> = None;
        for (i, r) in slots.iter().enumerate() {
            let Some(r) = r else { continue };
            let len = r.prefix.len;
            if addr & mask(len) == u32::from(r.prefix.addr) && best.is_none_or(|(_, l)| len > l) {
                best = Some((i, len));
            }
        }
        best.map(|(i, _)| i)
    }
}

/// An entry of a [`Trie`]: 0 for no route, a route's slot + 1, or
/// [`TrieEntry::CHILD`] plus a chunk number.
pub trait TrieEntry: Copy + Eq + fmt::Debug {
    /// The flag bit of a child-chunk entry.
    const CHILD: u32;
    /// The empty entry.
    const NONE: Self;
    /// The entry's value.
    fn get(self) -> u32;
    /// An entry of value `v` (below `2 * CHILD`).
    fn new(v: u32) -> Self;
}

impl TrieEntry for u16 {
    const CHILD: u32 = 0x8000;
    const NONE: u16 = 0;
    #[inline]
    fn get(self) -> u32 {
        u32::from(self)
    }
    #[inline]
    fn new(v: u32) -> u16 {
        v as u16
    }
}

impl TrieEntry for u32 {
    const CHILD: u32 = 0x8000_0000;
    const NONE: u32 = 0;
    #[inline]
    fn get(self) -> u32 {
        self
    }
    #[inline]
    fn new(v: u32) -> u32 {
        v
    }
}

/// A multibit trie with leaf pushing (see the module documentation): the
/// first `1 << TOP` entries are indexed by the top `TOP` address bits, then
/// come 256-entry chunks, each indexed by the next 8 bits. Chunks are not
/// reclaimed when routes go (until `flush`).
#[derive(Clone, PartialEq, Eq)]
pub struct Trie<E, const TOP: u32> {
    v: Vec<E>,
}

/// RadixIPLookup's structure: strides 16-8-8, 32-bit entries.
pub type RadixTrie = Trie<u32, 16>;
/// DirectIPLookup's structure: DIR-24-8, 16-bit entries (at most 32767
/// routes, as in Click).
pub type DirectTrie = Trie<u16, 24>;

impl<E: TrieEntry, const TOP: u32> fmt::Debug for Trie<E, TOP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Trie<{TOP}>({} chunks)", self.chunks())
    }
}

impl<E: TrieEntry, const TOP: u32> Trie<E, TOP> {
    /// Levels below the first.
    const BELOW: usize = ((32 - TOP) / 8) as usize;

    fn chunks(&self) -> usize {
        (self.v.len() - (1 << TOP)) >> 8
    }

    /// Where chunk `c` starts.
    #[inline]
    fn chunk(c: u32) -> usize {
        (1 << TOP) + ((c as usize) << 8)
    }

    /// Walks to the entries prefix `a/len` covers: calls `at(self, pos)`
    /// for each. Missing chunks on the way are made (filled with the leaf
    /// they replace) when `grow`, else the walk stops there.
    fn walk(&mut self, a: u32, len: u32, grow: bool, mut at: impl FnMut(&mut Self, usize)) {
        let (mut width, mut base, mut bits) = (TOP, 0usize, TOP);
        loop {
            let index = base + ((a >> (32 - width)) & ((1 << bits) - 1)) as usize;
            if len <= width {
                for pos in index..index + (1usize << (width - len)) {
                    at(self, pos);
                }
                return;
            }
            let e = self.v[index].get();
            let c = if e & E::CHILD != 0 {
                e & !E::CHILD
            } else if grow {
                let c = self.chunks() as u32;
                self.v.extend(core::iter::repeat_n(E::new(e), 256));
                self.v[index] = E::new(E::CHILD | c);
                c
            } else {
                return;
            };
            base = Self::chunk(c);
            width += 8;
            bits = 8;
        }
    }

    /// Sets the leaf entries under `pos` whose route is no more specific
    /// than `len` bits to `leaf`.
    fn fill(&mut self, slots: &[Option<Route>], pos: usize, leaf: u32, len: u8) {
        let e = self.v[pos].get();
        if e & E::CHILD != 0 {
            let base = Self::chunk(e & !E::CHILD);
            for j in 0..256 {
                self.fill(slots, base + j, leaf, len);
            }
        } else if e == 0
            || slots
                .get(e as usize - 1)
                .copied()
                .flatten()
                .is_none_or(|r| r.prefix.len <= len)
        {
            self.v[pos] = E::new(leaf);
        }
    }

    /// Replaces leaf `leaf` under `pos` by `with`.
    fn replace(&mut self, pos: usize, leaf: u32, with: u32) {
        let e = self.v[pos].get();
        if e & E::CHILD != 0 {
            let base = Self::chunk(e & !E::CHILD);
            for j in 0..256 {
                self.replace(base + j, leaf, with);
            }
        } else if e == leaf {
            self.v[pos] = E::new(with);
        }
    }
}

impl<E: TrieEntry, const TOP: u32> Lpm for Trie<E, TOP> {
    const MAX_ROUTES: usize = E::CHILD as usize - 1;

    fn empty() -> Self {
        Trie {
            v: alloc::vec![E::NONE; 1 << TOP],
        }
    }

    fn insert(&mut self, slots: &[Option<Route>], idx: usize) -> Result<(), &'static str> {
        if idx >= Self::MAX_ROUTES || self.chunks() + Self::BELOW > E::CHILD as usize {
            return Err("routing table full");
        }
        let Some(r) = slots.get(idx).copied().flatten() else {
            return Ok(());
        };
        let leaf = idx as u32 + 1;
        self.walk(
            u32::from(r.prefix.addr),
            u32::from(r.prefix.len),
            true,
            |t, pos| t.fill(slots, pos, leaf, r.prefix.len),
        );
        Ok(())
    }

    fn remove(&mut self, slots: &[Option<Route>], idx: usize, fallback: Option<usize>) {
        let Some(r) = slots.get(idx).copied().flatten() else {
            return;
        };
        let (leaf, with) = (idx as u32 + 1, fallback.map_or(0, |f| f as u32 + 1));
        self.walk(
            u32::from(r.prefix.addr),
            u32::from(r.prefix.len),
            false,
            |t, pos| t.replace(pos, leaf, with),
        );
    }

    #[inline]
    fn lookup(&self, _slots: &[Option<Route>], addr: u32) -> Option<usize> {
        let mut e = self.v[(addr >> (32 - TOP)) as usize].get();
        let mut shift = 32 - TOP;
        while e & E::CHILD != 0 && shift >= 8 {
            shift -= 8;
            let pos = Self::chunk(e & !E::CHILD) + ((addr >> shift) & 0xff) as usize;
            e = self.v.get(pos).map_or(0, |x| x.get());
        }
        (e != 0 && e & E::CHILD == 0).then(|| e as usize - 1)
    }
}

/// A route table: routes in slots, found by prefix for the handlers and by
/// address through `L`, and a count of packets that matched no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable<L> {
    slots: Vec<Option<Route>>,
    /// Empty slots, reused first.
    free: Vec<usize>,
    /// Slot of each prefix (network address, length).
    by_prefix: BTreeMap<(u32, u8), usize>,
    lpm: L,
    no_route: u64,
}

/// How to undo one step of a `ctrl` transaction.
enum Undo {
    Added(IpPrefix),
    Replaced(Route),
    Removed(Route),
}

impl<L: Lpm> RouteTable<L> {
    /// A table of `routes`; a later route for the same prefix replaces an
    /// earlier one, as in Click.
    pub fn new(routes: &[Route]) -> Result<Self, String> {
        let mut t = RouteTable {
            slots: Vec::new(),
            free: Vec::new(),
            by_prefix: BTreeMap::new(),
            lpm: L::empty(),
            no_route: 0,
        };
        for r in routes {
            t.add(*r, true)?;
        }
        Ok(t)
    }

    fn key(p: &IpPrefix) -> (u32, u8) {
        (u32::from(p.addr) & mask(p.len), p.len)
    }

    /// Adds `r`; a route for the same prefix is replaced when `replace`,
    /// else it is an error. Returns the route replaced.
    pub fn add(&mut self, r: Route, replace: bool) -> Result<Option<Route>, String> {
        let key = Self::key(&r.prefix);
        if let Some(&i) = self.by_prefix.get(&key) {
            let old = self.slots[i];
            if !replace {
                let old = old.map(|o| quoted(&o)).unwrap_or_default();
                return Err(format!("conflict with existing route '{old}'"));
            }
            // Same prefix, same slot: the structure needs no change.
            self.slots[i] = Some(r);
            return Ok(old);
        }
        let i = self.free.pop().unwrap_or(self.slots.len());
        if i == self.slots.len() {
            self.slots.push(None);
        }
        self.slots[i] = Some(r);
        if let Err(e) = self.lpm.insert(&self.slots, i) {
            self.slots[i] = None;
            self.free.push(i);
            return Err(format!("no room to store route '{}': {e}", quoted(&r)));
        }
        self.by_prefix.insert(key, i);
        Ok(None)
    }

    /// Removes the route for `arg`'s prefix, which must have `arg`'s
    /// gateway and output when `arg` names an output.
    fn remove(&mut self, arg: &RouteArg) -> Result<Route, String> {
        let key = Self::key(&arg.prefix);
        let found = self
            .by_prefix
            .get(&key)
            .copied()
            .and_then(|i| Some((i, self.slots[i]?)));
        let Some((i, r)) = found.filter(|(_, r)| {
            arg.output
                .is_none_or(|o| o == r.output && arg.gateway == r.gateway)
        }) else {
            let r = Route {
                prefix: arg.prefix,
                gateway: arg.gateway,
                output: arg.output.unwrap_or(0),
            };
            let mut text = quoted(&r);
            if arg.output.is_none() {
                // Click prints a missing output as -1.
                text.pop();
                text.push_str("-1");
            }
            return Err(format!("route '{text}' not found"));
        };
        // The best route covering the whole prefix takes over its addresses.
        let fallback = (0..key.1)
            .rev()
            .find_map(|l| self.by_prefix.get(&(key.0 & mask(l), l)).copied());
        self.lpm.remove(&self.slots, i, fallback);
        self.slots[i] = None;
        self.free.push(i);
        self.by_prefix.remove(&key);
        Ok(r)
    }

    /// Removes every route.
    pub fn flush(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.by_prefix.clear();
        self.lpm = L::empty();
    }

    /// The route for `addr`: the one with the longest prefix containing it.
    #[inline]
    pub fn lookup(&self, addr: Ipv4Addr) -> Option<&Route> {
        let i = self.lpm.lookup(&self.slots, u32::from(addr))?;
        self.slots.get(i)?.as_ref()
    }

    /// Routes `p` by its destination IP annotation: sets the annotation to
    /// the route's gateway, if it has one, and sends `p` to the route's
    /// output; drops (and counts) `p` when no route matches.
    #[inline]
    pub fn route(&mut self, p: &mut Packet) -> Out {
        match self.lookup(p.dst_ip()) {
            Some(r) => {
                let out = r.output as usize;
                if let Some(gw) = r.gateway {
                    p.set_dst_ip(gw);
                }
                Out::Port(out)
            }
            None => {
                self.no_route += 1;
                Out::Drop
            }
        }
    }

    /// Packets dropped because no route matched.
    pub fn drops(&self) -> u64 {
        self.no_route
    }

    /// The current routes, one a line, as Click's `table` handler prints
    /// them.
    pub fn table(&self) -> String {
        let mut s = String::new();
        for r in self.slots.iter().flatten() {
            unparse(&mut s, r, true);
            s.push('\n');
        }
        s
    }

    /// Runs one `add`, `set` or `remove` command on `text`, recording how
    /// to undo it.
    fn command(&mut self, cmd: &str, text: &str, undo: &mut Vec<Undo>) -> Result<(), HandlerError> {
        let arg = parse_route_arg(text, cmd == "remove")?;
        let invalid = HandlerError::Invalid;
        if cmd == "remove" {
            let r = self.remove(&arg).map_err(invalid)?;
            undo.push(Undo::Removed(r));
            return Ok(());
        }
        let r = Route {
            prefix: arg.prefix,
            gateway: arg.gateway,
            output: arg.output.unwrap_or(0),
        };
        match self.add(r, cmd == "set").map_err(invalid)? {
            Some(old) => undo.push(Undo::Replaced(old)),
            None => undo.push(Undo::Added(r.prefix)),
        }
        Ok(())
    }

    /// Click's `ctrl`: one `add`, `set` or `remove` command a line (comments
    /// allowed within a line), all or nothing.
    fn ctrl(&mut self, text: &str) -> Result<(), HandlerError> {
        let mut undo = Vec::new();
        for line in text.lines() {
            let line = uncomment(line);
            let line = line.trim();
            let (cmd, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let r = match cmd {
                "" => continue,
                "add" | "set" | "remove" => self.command(cmd, rest, &mut undo),
                _ => Err(HandlerError::Invalid(format!("bad command '{cmd}'"))),
            };
            if let Err(e) = r {
                for u in undo.into_iter().rev() {
                    let _ = match u {
                        Undo::Added(prefix) => self
                            .remove(&RouteArg {
                                prefix,
                                gateway: None,
                                output: None,
                            })
                            .map(|_| None),
                        Undo::Replaced(old) => self.add(old, true),
                        Undo::Removed(old) => self.add(old, false),
                    };
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// Click's IPRouteTable read handlers without a parameter: `table`
    /// (`lookup` needs an address: see [`RouteTable::read_handler_with`]).
    pub fn read_handler(&self, name: &str) -> Result<String, HandlerError> {
        match name {
            "table" => Ok(self.table()),
            "lookup" => self.lookup_handler(""),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    /// Click's IPRouteTable read handler with a parameter: `lookup ADDR`;
    /// the others take none.
    pub fn read_handler_with(&self, name: &str, param: &str) -> Result<String, HandlerError> {
        match name {
            "lookup" => self.lookup_handler(param),
            _ if param.trim().is_empty() => self.read_handler(name),
            "table" => Err(HandlerError::Invalid(format!(
                "read handler '{name}' does not take parameters"
            ))),
            _ => Err(HandlerError::NoSuchHandler),
        }
    }

    /// Click's `lookup ADDR`: the route's `OUTPUT [GATEWAY]`, or `-1` when
    /// no route matches.
    fn lookup_handler(&self, param: &str) -> Result<String, HandlerError> {
        let addr = parse::ipv4(uncomment(param).trim())
            .map_err(|_| HandlerError::Invalid(format!("expected IP address, not '{param}'")))?;
        Ok(match self.lookup(addr) {
            Some(Route {
                gateway: Some(g),
                output,
                ..
            }) => format!("{output} {g}"),
            Some(r) => r.output.to_string(),
            None => "-1".into(),
        })
    }

    /// Click's IPRouteTable write handlers: `add`, `set`, `remove`, `ctrl`
    /// and `flush`.
    pub fn write_handler(&mut self, name: &str, value: &str) -> Result<(), HandlerError> {
        match name {
            "add" | "set" | "remove" => self.command(name, value, &mut Vec::new()),
            "ctrl" => self.ctrl(value),
            "flush" => {
                self.flush();
                Ok(())
            }
            _ => Err(HandlerError::NoSuchHandler),
        }
    }
}

/// Implements `Element` for a route-table element (a struct with a
/// `table: RouteTable<_>` field): packets go by their destination IP
/// annotation; `dynamic` tables also take the write handlers.
macro_rules! route_table_element {
    (@common) => {
        #[inline]
        fn process(
            &mut self,
            _cx: &nfc_dataplane::element::Context,
            _input: usize,
            p: &mut nfc_dataplane::packet::Packet,
        ) -> nfc_dataplane::element::Out {
            self.table.route(p)
        }

        fn read_handler(
            &self,
            name: &str,
        ) -> Result<alloc::string::String, nfc_dataplane::element::HandlerError> {
            self.table.read_handler(name)
        }

        fn read_handler_with(
            &mut self,
            name: &str,
            param: &str,
        ) -> Result<alloc::string::String, nfc_dataplane::element::HandlerError> {
            self.table.read_handler_with(name, param)
        }
    };
    (static $name:ident) => {
        impl nfc_dataplane::element::Element for $name {
            $crate::ip::ip_route_table::route_table_element!(@common);
        }
    };
    (dynamic $name:ident) => {
        impl nfc_dataplane::element::Element for $name {
            $crate::ip::ip_route_table::route_table_element!(@common);

            fn write_handler(
                &mut self,
                name: &str,
                value: &str,
            ) -> Result<(), nfc_dataplane::element::HandlerError> {
                self.table.write_handler(name, value)
            }
        }
    };
}
pub(crate) use route_table_element;

#[cfg(test)]
pub(crate) mod testing {
    //! The test every route-table element runs.

    use core::fmt::Debug;
    use core::net::Ipv4Addr;

    use nfc_dataplane::args::ConfigErrors;
    use nfc_dataplane::element::{Element, HandlerError};
    use nfc_dataplane::packet::{Packet, PacketPool};

    use crate::harness::{self, check_batch_path, on_port, run_push};

    const ROUTES: &str = "10.0.0.1/32 0, 10.0.0.0/24 1, 0.0.0.0/0 10.0.0.254 2, 192.168.0.0/16 - 1";

    /// Packets whose destination annotations vary: host 1 (route 0), the
    /// /24 (route 1), elsewhere (default route, gateway), 192.168/16.
    fn packet(i: usize, pool: &'static PacketPool) -> Packet {
        let mut p = pool.alloc_with(&[i as u8; 20][..i % 20]).unwrap();
        p.set_paint(i as u8);
        p.set_dst_ip(match i % 4 {
            0 => Ipv4Addr::new(10, 0, 0, 1),
            1 => Ipv4Addr::new(10, 0, 0, i as u8),
            2 => Ipv4Addr::new(8, 8, i as u8, 8),
            _ => Ipv4Addr::new(192, 168, 1, i as u8),
        });
        p
    }

    /// Configures an element of the class with `configure`, routes packets
    /// through it on both paths, and checks its handlers (the write
    /// handlers only when `dynamic`).
    pub(crate) fn check_element<E, F>(configure: F, dynamic: bool)
    where
        E: Element + Clone + PartialEq + Debug,
        F: Fn(&str) -> Result<E, ConfigErrors>,
    {
        let mut e = configure(ROUTES).unwrap();
        let pool = harness::pool();
        let sent = run_push(
            &mut e,
            &harness::cx(pool),
            0,
            (0..33).map(|i| packet(i, pool)).collect(),
            3,
        );
        assert_eq!(on_port(&sent, 0).len(), 10, "i % 4 == 0, and i == 1");
        assert!(on_port(&sent, 0)
            .iter()
            .all(|s| s.dst_ip == Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(on_port(&sent, 1).len(), 15);
        for s in on_port(&sent, 2) {
            assert_eq!(s.dst_ip, Ipv4Addr::new(10, 0, 0, 254), "gateway annotation");
        }
        assert_eq!(on_port(&sent, 2).len(), 8);
        assert_eq!(e.read_handler_with("lookup", "10.0.0.9"), Ok("1".into()));
        assert!(e
            .read_handler("table")
            .unwrap()
            .starts_with("10.0.0.1/32\t\t-\t\t0\n"));
        let add = e.write_handler("add", "8.8.0.0/16 0");
        if dynamic {
            add.unwrap();
            assert_eq!(e.read_handler_with("lookup", "8.8.8.8"), Ok("0".into()));
            e.write_handler("flush", "").unwrap();
            assert_eq!(e.read_handler_with("lookup", "8.8.8.8"), Ok("-1".into()));
            let mut p = packet(2, pool);
            assert_eq!(
                e.process(&harness::cx(pool), 0, &mut p),
                nfc_dataplane::element::Out::Drop
            );
        } else {
            assert_eq!(add, Err(HandlerError::NoSuchHandler));
        }
        let e = configure(ROUTES).unwrap();
        check_batch_path(&e, 0, 3, packet);
        check_batch_path(&e, 0, 2, packet);
        assert!(configure("10.0.0.0/24 one").is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let cfg =
            "18.26.4.24/32 0, 18.26.4.255 0, 18.26.4.0/255.255.255.0 1, 0.0.0.0/0 18.26.4.1 2";
        let r = parse_routes(cfg).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[1].prefix.len, 32);
        assert_eq!(r[2].prefix.len, 24);
        assert_eq!(r[3].gateway, Some(Ipv4Addr::new(18, 26, 4, 1)));
        assert_eq!(r[3].output, 2);
        assert_eq!(min_noutputs(&r), 3);
        let r = parse_routes("10.1.2.3/8 0.0.0.0 1").unwrap();
        assert_eq!(r[0].prefix.addr, Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(r[0].gateway, None);
    }

    #[test]
    fn bad_routes() {
        let cfg = "10.0.0.0/33 0, 1.2.3.0/24 x, 0/0, 1.0.0.0/8 gw 1, 2.0.0.0/8 /* c */ 3";
        let e = parse_routes(cfg).unwrap_err().0;
        assert_eq!(e.len(), 4);
        assert_eq!(&cfg[e[0].span.clone().unwrap()], "10.0.0.0/33");
        assert_eq!(&cfg[e[1].span.clone().unwrap()], "x");
        assert!(e[1].message.starts_with("bad output port"));
        assert_eq!(&cfg[e[2].span.clone().unwrap()], "0/0");
        assert_eq!(&cfg[e[3].span.clone().unwrap()], "gw");
    }

    #[test]
    fn dash_gateways() {
        let r = parse_routes("10.0.0.0/8 - 1").unwrap();
        assert_eq!((r[0].gateway, r[0].output), (None, 1));
        let a = parse_route_arg("10.0.0.0/8", true).unwrap();
        assert_eq!((a.gateway, a.output), (None, None));
        let a = parse_route_arg("10.1.0.0/8 1.1.1.1", true).unwrap();
        assert_eq!(
            (a.prefix.addr, a.gateway),
            (Ipv4Addr::new(10, 0, 0, 0), Some(Ipv4Addr::new(1, 1, 1, 1)))
        );
        assert!(parse_route_arg("10.0.0.0/8", false).is_err());
        assert!(parse_route_arg("10.0.0.0/8 - 1 2", false).is_err());
        assert!(parse_route_arg("10.0.0.0/8 x", false).is_err());
        assert!(parse_route_arg("", true).is_err());
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    /// The routing behaviour every structure must have.
    fn exercise<L: Lpm>() {
        let routes = parse_routes(
            "18.26.4.24/32 0, 18.26.4.0/24 1, 0.0.0.0/0 18.26.4.1 2, 18.26.0.0/16 3, 18.26.0.0/16 4",
        )
        .unwrap();
        let mut t = RouteTable::<L>::new(&routes).unwrap();
        let out = |t: &RouteTable<L>, a: &str| t.lookup(ip(a)).map(|r| (r.output, r.gateway));
        assert_eq!(out(&t, "18.26.4.24"), Some((0, None)));
        assert_eq!(out(&t, "18.26.4.25"), Some((1, None)));
        assert_eq!(
            out(&t, "18.26.5.1"),
            Some((4, None)),
            "the later duplicate wins"
        );
        assert_eq!(out(&t, "1.2.3.4"), Some((2, Some(ip("18.26.4.1")))));
        assert_eq!(
            t.table(),
            "18.26.4.24/32\t\t-\t\t0\n18.26.4.0/24\t\t-\t\t1\n0.0.0.0/0\t\t18.26.4.1\t2\n18.26.0.0/16\t\t-\t\t4\n"
        );
        // Handlers.
        assert_eq!(
            t.read_handler_with("lookup", "1.2.3.4"),
            Ok("2 18.26.4.1".into())
        );
        assert_eq!(
            t.read_handler_with("lookup", " 18.26.4.24 // a host\n"),
            Ok("0".into())
        );
        assert_eq!(
            t.read_handler("lookup"),
            Err(HandlerError::Invalid("expected IP address, not ''".into()))
        );
        assert_eq!(
            t.read_handler_with("lookup", "18.26.4"),
            Err(HandlerError::Invalid(
                "expected IP address, not '18.26.4'".into()
            ))
        );
        assert_eq!(
            t.read_handler("lookup 1.2.3.4"),
            Err(HandlerError::NoSuchHandler)
        );
        assert_eq!(t.read_handler_with("table", ""), Ok(t.table()));
        assert!(t.read_handler_with("table", "x").is_err());
        assert_eq!(
            t.read_handler_with("nope", "x"),
            Err(HandlerError::NoSuchHandler)
        );
        let e = t.write_handler("add", "18.26.4.0/24 5").unwrap_err();
        assert_eq!(
            e,
            HandlerError::Invalid("conflict with existing route '18.26.4.0/24 - 1'".into())
        );
        t.write_handler("set", "18.26.4.0/24 9.9.9.9 5").unwrap();
        assert_eq!(out(&t, "18.26.4.99"), Some((5, Some(ip("9.9.9.9")))));
        let e = t.write_handler("remove", "18.26.4.0/24 - 5").unwrap_err();
        assert_eq!(
            e,
            HandlerError::Invalid("route '18.26.4.0/24 - 5' not found".into())
        );
        t.write_handler("remove", "18.26.4.0/24 9.9.9.9 5").unwrap();
        assert_eq!(out(&t, "18.26.4.99"), Some((4, None)), "the /16 takes over");
        t.write_handler("remove", "18.26.0.0/16").unwrap();
        assert_eq!(out(&t, "18.26.4.99").map(|o| o.0), Some(2));
        assert_eq!(out(&t, "18.26.4.24").map(|o| o.0), Some(0));
        let e = t.write_handler("remove", "18.26.0.0/16").unwrap_err();
        assert_eq!(
            e,
            HandlerError::Invalid("route '18.26.0.0/16 - -1' not found".into())
        );
        t.write_handler("add", "10.0.0.0/8 7").unwrap();
        assert_eq!(out(&t, "10.200.1.1").map(|o| o.0), Some(7));
        // ctrl: all or nothing.
        let before = t.clone();
        let e = t
            .write_handler(
                "ctrl",
                "add 11.0.0.0/8 1\nset 10.0.0.0/8 8\nremove 18.26.4.24/32\nadd 10.0.0.0/8 3",
            )
            .unwrap_err();
        assert!(matches!(e, HandlerError::Invalid(m) if m.starts_with("conflict")));
        assert_eq!(t.table(), before.table(), "rolled back");
        assert_eq!(out(&t, "11.1.1.1").map(|o| o.0), Some(2));
        assert_eq!(out(&t, "10.1.1.1").map(|o| o.0), Some(7));
        assert_eq!(out(&t, "18.26.4.24").map(|o| o.0), Some(0));
        t.write_handler(
            "ctrl",
            "add 11.0.0.0/8 1\n\n  set 10.0.0.0/8 8 // note\nremove 18.26.4.24/32\n",
        )
        .unwrap();
        assert_eq!(out(&t, "11.1.1.1").map(|o| o.0), Some(1));
        assert_eq!(out(&t, "10.1.1.1").map(|o| o.0), Some(8));
        assert_eq!(out(&t, "18.26.4.24").map(|o| o.0), Some(2));
        assert!(t.write_handler("ctrl", "frobnicate 1.0.0.0/8 1").is_err());
        assert_eq!(
            t.write_handler("nope", ""),
            Err(HandlerError::NoSuchHandler)
        );
        t.write_handler("flush", "").unwrap();
        assert_eq!((t.table(), t.lookup(ip("1.2.3.4"))), (String::new(), None));
        t.write_handler("add", "0.0.0.0/0 3").unwrap();
        assert_eq!(out(&t, "255.255.255.255").map(|o| o.0), Some(3));
        // Packets.
        let pool = crate::harness::pool();
        let mut p = pool.alloc().unwrap();
        p.set_dst_ip(ip("1.1.1.1"));
        t.write_handler("set", "1.1.1.1 1.1.1.254 6").unwrap();
        assert_eq!(t.route(&mut p), Out::Port(6));
        assert_eq!(p.dst_ip(), ip("1.1.1.254"));
        t.write_handler("flush", "").unwrap();
        assert_eq!(t.route(&mut p), Out::Drop);
        assert_eq!(t.drops(), 1);
    }

    #[test]
    fn every_structure_routes_alike() {
        exercise::<Linear>();
        exercise::<RadixTrie>();
        exercise::<DirectTrie>();
    }

    /// xorshift64, for repeatable random tables.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    #[test]
    fn tries_agree_with_a_linear_scan() {
        let mut next = rng(0x2545_f491_4f6c_dd1d);
        let mut linear = RouteTable::<Linear>::new(&[]).unwrap();
        let mut radix = RouteTable::<RadixTrie>::new(&[]).unwrap();
        let mut direct = RouteTable::<DirectTrie>::new(&[]).unwrap();
        let mut added: Vec<String> = Vec::new();
        // A default route (once: filling all of DIR-24-8 is slow in debug
        // builds), then prefixes clustered in 10/8 so that they nest and
        // overlap.
        for cmd in ["0.0.0.0/0 10.0.0.1 4", "10.0.0.0/7 3"] {
            linear.write_handler("add", cmd).unwrap();
            radix.write_handler("add", cmd).unwrap();
            direct.write_handler("add", cmd).unwrap();
        }
        for round in 0..600 {
            let r = next();
            let len = [6u8, 8, 12, 16, 17, 20, 23, 24, 25, 28, 31, 32][(r % 12) as usize];
            let addr = Ipv4Addr::from(0x0a00_0000 | ((r >> 8) as u32 & 0x00ff_ffff));
            let cmd = if round % 3 == 2 && !added.is_empty() {
                let i = (r >> 40) as usize % added.len();
                ("remove", added.swap_remove(i))
            } else {
                let gw = if r & 0x100 != 0 { " 10.0.0.1" } else { "" };
                let text = format!("{addr}/{len}{gw} {}", (r >> 33) % 5);
                ("set", text)
            };
            let a = linear.write_handler(cmd.0, &cmd.1);
            assert_eq!(a, radix.write_handler(cmd.0, &cmd.1), "{cmd:?}");
            assert_eq!(a, direct.write_handler(cmd.0, &cmd.1), "{cmd:?}");
            if cmd.0 == "set" {
                added.push(cmd.1.split(' ').next().unwrap().into());
            }
            for _ in 0..40 {
                let probe = Ipv4Addr::from(0x0a00_0000 | (next() as u32 & 0x00ff_ffff));
                let want = linear.lookup(probe);
                assert_eq!(radix.lookup(probe), want, "radix, {probe}");
                assert_eq!(direct.lookup(probe), want, "direct, {probe}");
            }
            let outside = Ipv4Addr::from(next() as u32);
            assert_eq!(radix.lookup(outside), linear.lookup(outside));
        }
        assert_eq!(radix.table(), linear.table());
    }

    #[test]
    fn direct_tables_are_bounded() {
        let many: String = (0..32768u32)
            .map(|i| format!("{}/32 0,", Ipv4Addr::from(i)))
            .collect();
        let e = check_routes::<DirectTrie>(&many).unwrap_err();
        assert!(e.0[0].message.contains("at most 32767"), "{e:?}");
        assert!(check_routes::<RadixTrie>(&many).is_ok());
        let mut t = RouteTable::<Trie<u16, 24>>::new(&[]).unwrap();
        // Each /32 in its own /24 needs a chunk: 32768 chunks at most.
        let mut failed = None;
        for i in 0..32768u32 {
            if let Err(e) = t.write_handler("add", &format!("{}/32 1", Ipv4Addr::from(i << 8))) {
                failed = Some((i, e));
                break;
            }
        }
        let (i, e) = failed.expect("the table fills up");
        assert_eq!(i, 32767);
        assert!(matches!(e, HandlerError::Invalid(m) if m.contains("routing table full")));
        assert_eq!(t.lookup(Ipv4Addr::from(5 << 8)).map(|r| r.output), Some(1));
    }
}
