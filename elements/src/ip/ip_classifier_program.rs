//! IPClassifier/IPFilter patterns compiled, once at configure time, into a
//! decision program in the spirit of Click's Classifier: each instruction
//! tests one big-endian 32-bit word of a header under a mask (`==` or `>`),
//! or a header's length, and jumps to one of two places. Running it
//! allocates nothing and never reads out of bounds.
//!
//! How it is built:
//!
//! 1. Each rule becomes a DAG by continuation passing (a primitive is
//!    compiled knowing where to go when it holds and when it fails), so
//!    `and`, `or`, `not` and `?:` cost no instructions and nothing is
//!    duplicated. Identical instructions with identical targets are shared;
//!    an instruction whose two targets agree is dropped.
//! 2. A primitive starts with length checks for the bytes it needs (rule 4
//!    of `ip_classifier_eval`), then its protocol and first-fragment checks,
//!    then its relation. `>`-style relations are one instruction each.
//! 3. What a path has learnt (say "the protocol is 6", "the source port is
//!    not 80", "the IP header has 20 bytes") decides later checks, which
//!    are skipped (Click's dominator optimization). The DAG is rebuilt as a
//!    decision tree along the facts of each path, sharing the subtrees whose
//!    relevant facts agree; where that would grow too large, a forward
//!    data-flow pass keeps only the facts that hold on every path.
//! 4. The program is built twice: once with its length checks and once
//!    assuming every header is long enough for every check. [`Program::run`]
//!    takes the second whenever the packet's headers are at least as long
//!    as the longest check asks for (Click's "safe length"), which is the
//!    common case.
//! 5. The run loop is one load, one mask and one range comparison per
//!    instruction, and a branch that the CPU predicts. Every jump goes
//!    forward, so it ends.
//! 6. A generated pipeline goes further: [`Program::to_rust`] writes the
//!    fast program as Rust (a type implementing [`Compiled`]), each check a
//!    load at a constant offset of a fixed-size header array, so that one
//!    length check per header and packet is all that is left of bounds
//!    checking; packets with shorter headers still run the interpreter.

use alloc::{collections::BTreeMap, format, string::String, vec, vec::Vec};
use core::fmt;
use core::fmt::Write as _;

use super::ip_classifier_eval::{
    addr_loc, ether_parts, port_loc, split, Base, Headers, Loc, PosRel, FRAG, FRAG_MASK,
    OFFSET_MASK, PROTO, TCP_FLAGS,
};
use super::ip_classifier_expr::{Dir, Expr, Primitive, ProtoSel, RelOp, Test};

/// How many facts the optimizer remembers along a path.
const MAX_FACTS: usize = 48;

/// The most nodes [`specialize`] may build (it also stays within eight
/// times the size of the plain DAG).
const SPECIALIZE_BUDGET: usize = 16_384;

/// A compiled list of rules: the first rule whose pattern matches gives the
/// verdict (an output port, or `None` to drop); no match drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// With length checks: for any packet.
    checked: Code,
    /// Without: for packets whose headers are at least `safe` long.
    fast: Code,
    /// Per [`Base`], the longest length `checked` checks.
    safe: [u16; 3],
}

impl Program {
    /// Compiles `(pattern, verdict)` rules, in priority order.
    pub fn compile<'e>(rules: impl IntoIterator<Item = (&'e Expr, Option<usize>)>) -> Program {
        let rules: Vec<_> = rules.into_iter().collect();
        let mut b = Builder::default();
        let mut entry = Target::Verdict(None);
        for &(expr, verdict) in rules.iter().rev() {
            entry = b.expr(expr, Target::Verdict(verdict), entry);
        }
        let mut safe = [0u16; 3];
        for n in &b.nodes {
            if n.check.op == Op::Len {
                let s = &mut safe[n.check.base.index()];
                *s = (*s).max(n.check.word);
            }
        }
        let build = |long: bool| match specialize(&b.nodes, entry, long) {
            Some((nodes, entry)) => optimize(&nodes, entry, long),
            None => optimize(&b.nodes, entry, long),
        };
        Program {
            checked: build(false),
            fast: build(true),
            safe,
        }
    }

    /// The verdict for one packet.
    #[inline]
    pub fn run(&self, h: &Headers) -> Option<usize> {
        let long = |b: Base| h.base(b).len() >= usize::from(self.safe[b.index()]);
        if long(Base::Ip) && long(Base::Transport) && long(Base::Ether) {
            match self.fast.ether {
                true => self.fast.run::<false, true>(h),
                false => self.fast.run::<false, false>(h),
            }
        } else {
            self.checked.run::<true, true>(h)
        }
    }

    /// The verdict for one packet, from `C`'s compiled code when the
    /// packet's headers are long enough for it, else from the interpreter.
    #[inline(always)]
    pub fn run_with<C: Compiled>(&self, h: &Headers) -> Option<usize> {
        match C::run(h) {
            Some(verdict) => verdict,
            None => self.run(h),
        }
    }

    /// The number of instructions of the program used for packets with
    /// short headers, and of the one used for the others.
    pub fn size(&self) -> (usize, usize) {
        (self.checked.insns.len(), self.fast.insns.len())
    }
}

/// Lists both programs, Click-style: one instruction a line.
impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "safe lengths:")?;
        for b in Base::ALL {
            write!(f, " {} {}", b.name(), self.safe[b.index()])?;
        }
        writeln!(f, "\nfor packets at least that long:\n{}", self.fast)?;
        write!(f, "for shorter packets:\n{}", self.checked)
    }
}

// ---------------------------------------------------------------------------
// Compiled to Rust

/// A [`Program`] compiled to Rust ahead of time: nfc's code generator
/// writes one such type per IPFilter or IPClassifier with
/// [`Program::to_rust`], and the element runs it through
/// [`Program::run_with`].
pub trait Compiled {
    /// The listing (`Display`) of the program the code was generated from:
    /// an element refuses code generated from another program.
    const PROGRAM: &'static str;

    /// The verdict for one packet, or `None` when the packet's headers are
    /// shorter than the code reads (the interpreter decides those).
    fn run(h: &Headers) -> Option<Option<usize>>;
}

/// No compiled code: every packet goes to the interpreter (what the
/// generic runner and `nfc click` use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Interpreted;

impl Compiled for Interpreted {
    const PROGRAM: &'static str = "";

    #[inline(always)]
    fn run(_: &Headers) -> Option<Option<usize>> {
        None
    }
}

/// The names compiled code gives the headers, by [`Base::index`].
const ARRAYS: [&str; 3] = ["e", "ip", "t"];

impl Program {
    /// Rust source for `pub struct NAME`, implementing [`Compiled`] with
    /// this program's fast code: one associated function per instruction
    /// (`iN`, its check in the doc comment), each reading a constant
    /// offset of a header borrowed as a fixed-size array, so the only
    /// bounds checks left are the three of `run`, one per header. The
    /// code reads no byte that the checked program does not first check
    /// for, so its verdicts are the interpreter's.
    pub fn to_rust(&self, name: &str) -> String {
        let code = &self.fast;
        // Every header as long as the safe length and the bytes read.
        let mut need = self.safe;
        for i in &code.insns {
            let c = i.atom.check();
            let last = (0..4u16).rev().find(|&b| byte_mask(c.mask, b) != 0);
            if let Some(b) = last {
                let n = &mut need[c.base.index()];
                *n = (*n).max(c.word + b + 1);
            }
        }
        let params = format!(
            "e: &[u8; {}], ip: &[u8; {}], t: &[u8; {}]",
            need[0], need[1], need[2]
        );
        let target = |t: u32| match (t as usize).checked_sub(code.insns.len()) {
            None => format!("Self::i{t}(e, ip, t)"),
            Some(v) => format!("{:?}", code.verdicts.get(v).copied().flatten()),
        };
        let mut callers = vec![0usize; code.insns.len()];
        for t in code.insns.iter().flat_map(|i| [i.yes(), i.no()]) {
            if let Some(c) = callers.get_mut(t as usize) {
                *c += 1;
            }
        }

        let mut s = String::new();
        let w = &mut s;
        let _ = writeln!(
            w,
            "/// A classification program compiled to Rust for headers of at least\n\
             /// {} (link), {} (IP) and {} (transport) bytes.\n\
             #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n\
             #[allow(non_camel_case_types)]\n\
             pub struct {name};\n\n\
             impl nfc_elements::ip::ip_classifier_program::Compiled for {name} {{\n    \
             const PROGRAM: &'static str = r#\"{self}\"#;\n\n    \
             #[inline(always)]\n    \
             fn run(h: &nfc_elements::ip::ip_classifier_eval::Headers) -> Option<Option<usize>> {{\n        \
             use nfc_elements::ip::ip_classifier_eval::Base;",
            need[0], need[1], need[2]
        );
        for (b, n) in Base::ALL.into_iter().zip(need) {
            let _ = writeln!(
                w,
                "        let {} = h.base(Base::{b:?}).first_chunk::<{n}>()?;",
                ARRAYS[b.index()]
            );
        }
        let _ = writeln!(
            w,
            "        Some({})\n    }}\n}}\n\n\
             #[allow(unused_variables)]\n\
             impl {name} {{",
            target(code.entry)
        );
        for (k, i) in code.insns.iter().enumerate() {
            let c = i.atom.check();
            let inline = if callers[k] > 1 {
                "inline"
            } else {
                "inline(always)"
            };
            let _ = writeln!(
                w,
                "    /// `{c}`\n    \
                 #[{inline}]\n    \
                 fn i{k}({params}) -> Option<usize> {{\n        \
                 if {} {{\n            {}\n        }} else {{\n            {}\n        }}\n    }}",
                rust_condition(&c),
                target(i.yes()),
                target(i.no())
            );
        }
        let _ = writeln!(w, "}}");
        s
    }
}

/// The byte of `mask` over byte `b` (0 first) of a big-endian word.
fn byte_mask(mask: u32, b: u16) -> u32 {
    mask >> (24 - 8 * u32::from(b)) & 0xFF
}

/// A word check as a Rust expression over the header arrays: the bytes
/// outside the mask are not read.
fn rust_condition(c: &Check) -> String {
    let array = ARRAYS[c.base.index()];
    let bytes: Vec<String> = (0..4u16)
        .map(|b| match byte_mask(c.mask, b) {
            0 => "0".into(),
            _ => format!("{array}[{}]", c.word + b),
        })
        .collect();
    let whole = (0..4u16).all(|b| matches!(byte_mask(c.mask, b), 0 | 0xFF));
    let mask = if whole {
        String::new()
    } else {
        format!(" & {:#010x}", c.mask)
    };
    let op = match c.op {
        // every header is at least as long as any length check asks
        Op::Len => return "true".into(),
        Op::Gt => ">",
        Op::Eq => "==",
    };
    format!(
        "u32::from_be_bytes([{}]){mask} {op} {:#010x}",
        bytes.join(", "),
        c.value
    )
}

// ---------------------------------------------------------------------------
// Instructions

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    /// The header holds at least `word` bytes.
    Len,
    /// `load(word) & mask == value`.
    Eq,
    /// `load(word) & mask > value`.
    Gt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Check {
    op: Op,
    base: Base,
    /// Byte offset of the word (the length, for [`Op::Len`]).
    word: u16,
    mask: u32,
    value: u32,
}

/// The big-endian word at `off`, bytes past the end reading as zero.
#[inline(always)]
fn load(data: &[u8], off: usize) -> u32 {
    match data
        .get(off..off + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
    {
        Some(w) => u32::from_be_bytes(w),
        None => load_short(data, off),
    }
}

#[cold]
fn load_short(data: &[u8], off: usize) -> u32 {
    let mut w = [0u8; 4];
    for (i, b) in w.iter_mut().enumerate() {
        *b = data.get(off + i).copied().unwrap_or(0);
    }
    u32::from_be_bytes(w)
}

impl Check {
    fn len(base: Base, len: u16) -> Check {
        Check {
            op: Op::Len,
            base,
            word: len,
            mask: 0,
            value: 0,
        }
    }

    fn word(op: Op, loc: Loc, mask: u32, value: u32) -> Check {
        Check {
            op,
            base: loc.base,
            word: loc.word,
            mask,
            value,
        }
    }

    /// What `self` having held (or failed, `held == false`) tells about
    /// `other`.
    fn decides(&self, held: bool, other: &Check) -> Option<bool> {
        if self == other {
            return Some(held);
        }
        if self.base != other.base || self.word != other.word {
            return None;
        }
        let same_mask = self.mask == other.mask;
        match (self.op, other.op) {
            (Op::Len, Op::Len) => {
                if held && self.word >= other.word {
                    Some(true)
                } else if !held && self.word <= other.word {
                    Some(false)
                } else {
                    None
                }
            }
            (Op::Eq, Op::Eq | Op::Gt) if held && other.mask & !self.mask == 0 => {
                let known = self.value & other.mask;
                Some(if other.op == Op::Eq {
                    known == other.value
                } else {
                    known > other.value
                })
            }
            (Op::Gt, Op::Gt) if same_mask => {
                if held && other.value <= self.value {
                    Some(true)
                } else if !held && other.value >= self.value {
                    Some(false)
                } else {
                    None
                }
            }
            (Op::Gt, Op::Eq) if same_mask => {
                if (held && other.value <= self.value) || (!held && other.value > self.value) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.base.name();
        match self.op {
            Op::Len => write!(f, "len({name}) >= {}", self.word),
            Op::Eq | Op::Gt => write!(
                f,
                "{name}[{}:4] & {:#010x} {} {:#010x}",
                self.word,
                self.mask,
                if self.op == Op::Eq { "==" } else { ">" },
                self.value
            ),
        }
    }
}

/// [`Atom::kind`]: `>` (else `==`; the run loops read the range instead).
const K_GT: u8 = 1;
/// [`Atom::kind`]: the word is in the transport header.
const K_TRANSPORT: u8 = 2;
/// [`Atom::kind`]: the word is in the link header.
const K_ETHER: u8 = 4;
/// [`Atom::kind`]: a length check.
const K_LEN: u8 = 8;

/// A [`Check`] laid out for the run loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Atom {
    /// Byte offset of the word in its header (the length, for a length
    /// check).
    word: u16,
    /// `K_*` bits.
    kind: u8,
    mask: u32,
    /// `==` and `>` both as a range: the check holds when `word & mask`
    /// lies in `lo ..= lo + span`, which one wrapping subtraction and one
    /// comparison decide (`== v` is `v ..= v`; `> v` is `v + 1 ..= mask`).
    lo: u32,
    span: u32,
}

impl Atom {
    fn new(c: Check) -> Atom {
        let base = match c.base {
            Base::Ether => K_ETHER,
            Base::Ip => 0,
            Base::Transport => K_TRANSPORT,
        };
        let (op, lo, span) = match c.op {
            Op::Len => (K_LEN, 0, 0),
            Op::Eq => (0, c.value, 0),
            // the builder folds `> v` with `v >= mask` away
            Op::Gt => (K_GT, c.value + 1, c.mask - (c.value + 1)),
        };
        Atom {
            word: c.word,
            kind: base | op,
            mask: c.mask,
            lo,
            span,
        }
    }

    fn check(&self) -> Check {
        let has = |k: u8| self.kind & k != 0;
        let (op, value) = if has(K_LEN) {
            (Op::Len, 0)
        } else if has(K_GT) {
            (Op::Gt, self.lo - 1)
        } else {
            (Op::Eq, self.lo)
        };
        Check {
            op,
            base: if has(K_ETHER) {
                Base::Ether
            } else if has(K_TRANSPORT) {
                Base::Transport
            } else {
                Base::Ip
            },
            word: self.word,
            mask: self.mask,
            value,
        }
    }

    /// Whether the check holds; `LEN` says whether it may be a length
    /// check (the fast programs have none, and do not look for them).
    #[inline(always)]
    fn holds<const LEN: bool, const ETHER: bool>(&self, v: &View) -> bool {
        let data = if ETHER && self.kind & K_ETHER != 0 {
            v.ether
        } else {
            v.ip
        };
        let mut at = usize::from(self.word);
        if self.kind & K_TRANSPORT != 0 {
            at += v.transport;
        }
        if LEN && self.kind & K_LEN != 0 {
            return data.len() >= at;
        }
        (load(data, at) & self.mask).wrapping_sub(self.lo) <= self.span
    }
}

/// The packet as the run loops see it: the transport header is a suffix of
/// the IP header's slice.
struct View<'a> {
    ether: &'a [u8],
    ip: &'a [u8],
    /// Offset of the transport header in `ip`.
    transport: usize,
}

impl<'a> View<'a> {
    #[inline(always)]
    fn new(h: &Headers<'a>) -> View<'a> {
        let ip = h.base(Base::Ip);
        View {
            ether: h.base(Base::Ether),
            ip,
            transport: ip.len().saturating_sub(h.base(Base::Transport).len()),
        }
    }
}

/// An [`Atom`] and its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Insn {
    atom: Atom,
    /// Where to go when the check fails (low half) and when it holds (high
    /// half): an instruction index, or `insns.len() + i` for verdict `i`.
    /// One word, so the loop loads both before it knows which it needs.
    to: u64,
}

impl Insn {
    fn new(c: Check, yes: u32, no: u32) -> Insn {
        Insn {
            atom: Atom::new(c),
            to: u64::from(no) | u64::from(yes) << 32,
        }
    }

    fn yes(&self) -> u32 {
        (self.to >> 32) as u32
    }

    fn no(&self) -> u32 {
        self.to as u32
    }
}

/// One flat program. Every jump goes forward, so a run ends after at most
/// `insns.len()` checks.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Code {
    insns: Vec<Insn>,
    entry: u32,
    verdicts: Vec<Option<usize>>,
    /// Whether a check reads the link header.
    ether: bool,
}

impl Code {
    /// Runs the program; `LEN` says whether it may have length checks,
    /// `ETHER` whether it may read the link header.
    #[inline]
    fn run<const LEN: bool, const ETHER: bool>(&self, h: &Headers) -> Option<usize> {
        let view = View::new(h);
        let insns = self.insns.as_slice();
        let mut pc = self.entry as usize;
        while let Some(i) = insns.get(pc) {
            // a branch, which the CPU predicts (and runs ahead on): a
            // branch-free select is slower even on mixed traffic
            pc = if i.atom.holds::<LEN, ETHER>(&view) {
                (i.to >> 32) as usize
            } else {
                i.to as u32 as usize
            };
        }
        self.verdicts.get(pc - insns.len()).copied().flatten()
    }

    fn target(&self, t: u32) -> impl fmt::Display + '_ {
        struct T<'a>(&'a Code, u32);
        impl fmt::Display for T<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let n = self.0.insns.len();
                match (self.1 as usize).checked_sub(n) {
                    None => write!(f, "{}", self.1),
                    Some(v) => match self.0.verdicts.get(v).copied().flatten() {
                        Some(port) => write!(f, "[{port}]"),
                        None => write!(f, "[drop]"),
                    },
                }
            }
        }
        T(self, t)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.insns.is_empty() {
            return writeln!(f, "  all -> {}", self.target(self.entry));
        }
        for (i, insn) in self.insns.iter().enumerate() {
            writeln!(
                f,
                "  {i:3}  {}  yes -> {}  no -> {}",
                insn.atom.check(),
                self.target(insn.yes()),
                self.target(insn.no())
            )?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Building the DAG

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    /// A node of the builder (children always come before parents).
    Node(usize),
    /// The end: output port or drop.
    Verdict(Option<usize>),
}

#[derive(Debug, Clone, Copy)]
struct Node {
    check: Check,
    yes: Target,
    no: Target,
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    shared: BTreeMap<(Check, Target, Target), usize>,
}

/// The bytes a primitive needs, as a length per [`Base`].
#[derive(Default)]
struct Needs([u16; 3]);

impl Needs {
    fn add(&mut self, loc: Loc, mask: u32) {
        let n = &mut self.0[loc.base.index()];
        *n = (*n).max(loc.end(mask));
    }
}

impl Builder {
    /// A node testing `check`, folded away when the outcome is fixed.
    fn node(&mut self, check: Check, yes: Target, no: Target) -> Target {
        let fixed = match check.op {
            Op::Len => (check.word == 0).then_some(true),
            Op::Eq if check.value & !check.mask != 0 => Some(false),
            Op::Eq => (check.mask == 0).then_some(true),
            Op::Gt => (check.value >= check.mask).then_some(false),
        };
        match fixed {
            Some(true) => return yes,
            Some(false) => return no,
            None if yes == no => return yes,
            None => {}
        }
        let nodes = &mut self.nodes;
        let i = *self.shared.entry((check, yes, no)).or_insert_with(|| {
            nodes.push(Node { check, yes, no });
            nodes.len() - 1
        });
        Target::Node(i)
    }

    fn expr(&mut self, e: &Expr, t: Target, f: Target) -> Target {
        match e {
            Expr::True => t,
            Expr::False => f,
            Expr::Not(e) => self.expr(e, f, t),
            Expr::And(v) => v.iter().rev().fold(t, |acc, e| self.expr(e, acc, f)),
            Expr::Or(v) => v.iter().rev().fold(f, |acc, e| self.expr(e, t, acc)),
            Expr::Cond(c, a, b) => {
                let a = self.expr(a, t, f);
                let b = self.expr(b, t, f);
                self.expr(c, a, b)
            }
            Expr::Test(p) => self.primitive(p, t, f),
        }
    }

    fn primitive(&mut self, p: &Primitive, t: Target, f: Target) -> Target {
        let mut needs = Needs::default();
        let mut body = self.relation(p, &mut needs, t, f);
        if p.test.reads_transport() {
            body = self.compare(&mut needs, FRAG, OFFSET_MASK, RelOp::Eq, 0, body, f);
        }
        if let Some(sel) = p.proto {
            body = self.proto_is(&mut needs, sel, body, f);
        }
        for base in [Base::Transport, Base::Ether, Base::Ip] {
            body = self.node(Check::len(base, needs.0[base.index()]), body, f);
        }
        body
    }

    fn proto_is(&mut self, needs: &mut Needs, sel: ProtoSel, t: Target, f: Target) -> Target {
        match sel {
            ProtoSel::Num(n) => self.compare(needs, PROTO, 0xFF, RelOp::Eq, n.into(), t, f),
            ProtoSel::TcpOrUdp => {
                let udp = self.compare(needs, PROTO, 0xFF, RelOp::Eq, 17, t, f);
                self.compare(needs, PROTO, 0xFF, RelOp::Eq, 6, t, udp)
            }
            ProtoSel::Transp | ProtoSel::Payload => t,
        }
    }

    /// Jumps to `t` when `(field & mask) op value`, else to `f`.
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &mut self,
        needs: &mut Needs,
        loc: Loc,
        mask: u32,
        op: RelOp,
        value: u32,
        t: Target,
        f: Target,
    ) -> Target {
        needs.add(loc, mask);
        let m = mask & loc.full();
        let (pos, negated) = split(op);
        let (t, f) = if negated { (f, t) } else { (t, f) };
        let gt = |b: &mut Builder, v: u32| {
            if v >= m {
                f
            } else {
                b.node(
                    Check::word(Op::Gt, loc, m << loc.shift, v << loc.shift),
                    t,
                    f,
                )
            }
        };
        match pos {
            PosRel::Eq => {
                let v = value & mask;
                if v & !m != 0 {
                    f
                } else {
                    self.node(
                        Check::word(Op::Eq, loc, m << loc.shift, v << loc.shift),
                        t,
                        f,
                    )
                }
            }
            PosRel::Gt => gt(self, value),
            PosRel::Ge if value == 0 => t,
            PosRel::Ge => gt(self, value - 1),
        }
    }

    /// `hit(src, t, f)` combined over the addresses `dir` names.
    fn over(
        &mut self,
        dir: Dir,
        t: Target,
        f: Target,
        mut hit: impl FnMut(&mut Builder, bool, Target, Target) -> Target,
    ) -> Target {
        match dir {
            Dir::Src => hit(self, true, t, f),
            Dir::Dst => hit(self, false, t, f),
            Dir::SrcOrDst => {
                let dst = hit(self, false, t, f);
                hit(self, true, t, dst)
            }
            Dir::SrcAndDst => {
                let dst = hit(self, false, t, f);
                hit(self, true, dst, f)
            }
        }
    }

    fn relation(&mut self, p: &Primitive, needs: &mut Needs, t: Target, f: Target) -> Target {
        let (pos, negated) = split(p.op);
        let (pt, pf) = if negated { (f, t) } else { (t, f) };
        match p.test {
            Test::Host { dir, addr, mask } => self.over(dir, pt, pf, |b, src, y, n| {
                b.compare(
                    needs,
                    addr_loc(src),
                    mask.into(),
                    RelOp::Eq,
                    addr.into(),
                    y,
                    n,
                )
            }),
            Test::Ether { dir, addr, mask } => self.over(dir, pt, pf, |b, src, y, n| {
                let [(hi, hi_v, hi_m), (lo, lo_v, lo_m)] = ether_parts(src, addr, mask);
                let rest = b.compare(needs, lo, lo_m, RelOp::Eq, lo_v, y, n);
                b.compare(needs, hi, hi_m, RelOp::Eq, hi_v, rest, n)
            }),
            Test::Port { dir, port, mask } => {
                let rel = match pos {
                    PosRel::Eq => RelOp::Eq,
                    PosRel::Gt => RelOp::Gt,
                    PosRel::Ge => RelOp::Ge,
                };
                self.over(dir, pt, pf, |b, src, y, n| {
                    b.compare(needs, port_loc(src), mask.into(), rel, port, y, n)
                })
            }
            Test::Proto {
                proto: ProtoSel::Num(n),
                mask,
            } => self.compare(needs, PROTO, mask.into(), p.op, n.into(), t, f),
            Test::Proto { proto, .. } => self.proto_is(needs, proto, pt, pf),
            Test::TcpOpt { flags } => {
                let flags = u32::from(flags);
                self.compare(needs, TCP_FLAGS, flags, p.op, flags, t, f)
            }
            Test::Field { field, value, mask } => {
                self.compare(needs, field.loc(), mask, p.op, value, t, f)
            }
            // a fragment is a packet whose fragment bits are not all zero
            Test::Frag => self.compare(needs, FRAG, FRAG_MASK, RelOp::Eq, 0, pf, pt),
        }
    }
}

// ---------------------------------------------------------------------------
// Optimizing and flattening

type Fact = (Check, bool);

/// What a fact is about: a header's length, or a word of a header.
fn topic(c: &Check) -> (Base, bool, u16) {
    match c.op {
        Op::Len => (c.base, true, 0),
        Op::Eq | Op::Gt => (c.base, false, c.word),
    }
}

/// What `facts` decide about `check`; with `long`, length checks hold.
fn decide(facts: &[Fact], check: &Check, long: bool) -> Option<bool> {
    if long && check.op == Op::Len {
        return Some(true);
    }
    facts.iter().find_map(|(c, held)| c.decides(*held, check))
}

/// Rebuilds the DAG as a decision tree that never tests what the path to a
/// node already decides, sharing a subtree between paths whose facts agree
/// on everything below it (so the tree stays a DAG). Gives up, returning
/// `None`, when the result would grow past [`SPECIALIZE_BUDGET`] nodes.
fn specialize(nodes: &[Node], entry: Target, long: bool) -> Option<(Vec<Node>, Target)> {
    // the topics each node's subtree tests, as bitsets
    let mut topics: Vec<(Base, bool, u16)> = nodes.iter().map(|n| topic(&n.check)).collect();
    topics.sort_unstable();
    topics.dedup();
    let words = topics.len().div_ceil(64);
    let bit = |c: &Check| topics.binary_search(&topic(c)).unwrap_or(0);
    let mut below = vec![0u64; nodes.len() * words];
    for (i, n) in nodes.iter().enumerate() {
        let b = bit(&n.check);
        below[i * words + b / 64] |= 1 << (b % 64);
        for child in [n.yes, n.no] {
            if let Target::Node(c) = child {
                for w in 0..words {
                    below[i * words + w] |= below[c * words + w];
                }
            }
        }
    }
    let budget = SPECIALIZE_BUDGET.min(nodes.len() * 8 + 64);

    enum Step {
        Enter(Target, Vec<Fact>),
        Exit(usize, Vec<Fact>),
    }
    let mut out = Builder::default();
    let mut memo: BTreeMap<(usize, Vec<Fact>), Target> = BTreeMap::new();
    let mut done: Vec<Target> = Vec::new();
    let mut todo = vec![Step::Enter(entry, Vec::new())];
    while let Some(step) = todo.pop() {
        match step {
            Step::Enter(mut t, facts) => {
                while let Target::Node(i) = t {
                    match decide(&facts, &nodes[i].check, long) {
                        Some(held) => t = if held { nodes[i].yes } else { nodes[i].no },
                        None => break,
                    }
                }
                let Target::Node(i) = t else {
                    done.push(t);
                    continue;
                };
                let mut key: Vec<Fact> = facts
                    .iter()
                    .filter(|(c, _)| {
                        let b = bit(c);
                        below[i * words + b / 64] >> (b % 64) & 1 == 1
                    })
                    .copied()
                    .collect();
                key.sort_unstable();
                key.dedup();
                if let Some(&r) = memo.get(&(i, key.clone())) {
                    done.push(r);
                    continue;
                }
                let n = nodes[i];
                let (mut on_yes, mut on_no) = (facts.clone(), facts);
                learn(&mut on_yes, (n.check, true));
                learn(&mut on_no, (n.check, false));
                todo.push(Step::Exit(i, key));
                todo.push(Step::Enter(n.no, on_no));
                todo.push(Step::Enter(n.yes, on_yes));
            }
            Step::Exit(i, key) => {
                let no = done.pop()?;
                let yes = done.pop()?;
                let r = out.node(nodes[i].check, yes, no);
                if out.nodes.len() > budget {
                    return None;
                }
                memo.insert((i, key), r);
                done.push(r);
            }
        }
    }
    Some((out.nodes, done.pop()?))
}

/// Skips the nodes whose outcome the facts on every path into them decide
/// (and, with `long`, every length check), then flattens what is left.
fn optimize(nodes: &[Node], entry: Target, long: bool) -> Code {
    let mut facts: Vec<Option<Vec<Fact>>> = vec![None; nodes.len()];
    let mut skip_to: Vec<Option<Target>> = vec![None; nodes.len()];
    let mut kept = Vec::new();
    if let Target::Node(i) = entry {
        facts[i] = Some(Vec::new());
    }
    // parents come after their children, so this is a topological order
    for i in (0..nodes.len()).rev() {
        let Some(known) = facts[i].take() else {
            continue;
        };
        let n = nodes[i];
        if let Some(held) = decide(&known, &n.check, long) {
            let next = if held { n.yes } else { n.no };
            skip_to[i] = Some(next);
            flow(&mut facts, next, known);
        } else {
            kept.push(i);
            let mut on_yes = known.clone();
            learn(&mut on_yes, (n.check, true));
            flow(&mut facts, n.yes, on_yes);
            let mut on_no = known;
            learn(&mut on_no, (n.check, false));
            flow(&mut facts, n.no, on_no);
        }
    }
    let resolve = |mut t: Target| {
        while let Target::Node(i) = t {
            match skip_to[i] {
                Some(next) => t = next,
                None => break,
            }
        }
        t
    };
    let mut index = vec![0u32; nodes.len()];
    for (new, &old) in kept.iter().enumerate() {
        index[old] = new as u32;
    }
    let mut verdicts: Vec<Option<usize>> = Vec::new();
    let mut encode = |t: Target| match resolve(t) {
        Target::Node(i) => index[i],
        Target::Verdict(v) => {
            let at = verdicts.iter().position(|&w| w == v).unwrap_or_else(|| {
                verdicts.push(v);
                verdicts.len() - 1
            });
            (kept.len() + at) as u32
        }
    };
    let insns: Vec<Insn> = kept
        .iter()
        .map(|&i| Insn::new(nodes[i].check, encode(nodes[i].yes), encode(nodes[i].no)))
        .collect();
    let entry = encode(entry);
    Code {
        ether: insns.iter().any(|i| i.atom.kind & K_ETHER != 0),
        insns,
        entry,
        verdicts,
    }
}

fn learn(facts: &mut Vec<Fact>, fact: Fact) {
    if facts.len() == MAX_FACTS {
        facts.remove(0);
    }
    facts.push(fact);
}

/// Merges `facts` into what is known on entry to `to`.
fn flow(all: &mut [Option<Vec<Fact>>], to: Target, facts: Vec<Fact>) {
    if let Target::Node(j) = to {
        all[j] = Some(match all[j].take() {
            None => facts,
            Some(mut old) => {
                old.retain(|f| facts.contains(f));
                old
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use alloc::{string::ToString, vec::Vec};
    use core::net::Ipv4Addr;

    use super::*;
    use crate::ip::ip_classifier_eval::packets::Pkt;
    use crate::ip::ip_classifier_expr::{parse_pattern, Field, ICMP, TCP, UDP};
    use nfc_dataplane::args::Arg;

    fn program(patterns: &[&str]) -> Program {
        let exprs: Vec<Expr> = patterns
            .iter()
            .map(|s| {
                let arg = Arg {
                    text: s.to_string(),
                    span: 0..s.len(),
                };
                parse_pattern(&arg, s).unwrap()
            })
            .collect();
        Program::compile(exprs.iter().enumerate().map(|(i, e)| (e, Some(i))))
    }

    #[test]
    fn a_port_test_is_four_checks_and_two_length_checks() {
        let p = program(&["tcp port 80"]);
        assert_eq!(p.size(), (6, 4), "{p}");
        assert_eq!(p.safe, [0, 10, 4]);
        let text = p.to_string();
        assert!(
            text.contains("ip[8:4] & 0x00ff0000 == 0x00060000"),
            "{text}"
        );
        assert!(text.contains("len(transp) >= 4"), "{text}");
        assert!(text.contains("[0]") && text.contains("[drop]"), "{text}");
    }

    #[test]
    fn compiled_to_rust_one_function_per_check() {
        let p = program(&["tcp port 80"]);
        let rust = p.to_rust("Web");
        assert!(rust.contains("pub struct Web;"), "{rust}");
        // one length check per header, then constant offsets
        assert!(
            rust.contains("let ip = h.base(Base::Ip).first_chunk::<10>()?;"),
            "{rust}"
        );
        assert!(
            rust.contains("let t = h.base(Base::Transport).first_chunk::<4>()?;"),
            "{rust}"
        );
        assert!(
            rust.contains("if u32::from_be_bytes([0, ip[9], 0, 0]) == 0x00060000 {"),
            "{rust}"
        );
        assert!(
            rust.contains("u32::from_be_bytes([0, 0, ip[6], ip[7]]) & 0x00001fff == 0x00000000"),
            "{rust}"
        );
        assert_eq!(rust.matches("\n    fn i").count(), p.size().1, "{rust}");
        assert!(
            rust.contains(&p.to_string()),
            "the listing it was compiled from"
        );
    }

    #[test]
    fn known_facts_skip_checks() {
        // the port test's own protocol and first-fragment checks are known
        assert_eq!(program(&["tcp and ip unfrag and tcp port 80"]).size().1, 4);
        // once the protocol is known to be 6, it is known not to be 17
        assert_eq!(program(&["tcp ? (udp or syn) : false"]).size().1, 3);
        // a second rule does not recheck what failed the first
        assert_eq!(program(&["tcp", "tcp and syn", "udp"]).size().1, 2);
        // ranges: knowing `> 1023` decides `> 100`
        assert_eq!(program(&["ip ttl > 100 and ip ttl > 10"]).size().1, 1);
        assert_eq!(program(&["-", "tcp"]).size(), (0, 0));
        assert_eq!(program(&["false"]).run(&Headers::ip(&[])), None);
        assert_eq!(program(&["not false"]).run(&Headers::ip(&[])), Some(0));
    }

    #[test]
    fn first_match_wins_on_both_paths() {
        let p = program(&["dst tcp port 8000 or 8080", "dst tcp port > 1023", "tcp"]);
        let run = |pkt: &[u8]| {
            (
                p.run(&Headers::ip(pkt)),
                p.checked.run::<true, true>(&Headers::ip(pkt)),
            )
        };
        let tcp = |d| Pkt::tcp(5555, d, 0).bytes();
        assert_eq!(run(&tcp(8080)), (Some(0), Some(0)));
        assert_eq!(run(&tcp(8000)), (Some(0), Some(0)));
        assert_eq!(run(&tcp(2000)), (Some(1), Some(1)));
        assert_eq!(run(&tcp(80)), (Some(2), Some(2)));
        assert_eq!(run(&Pkt::udp(1, 8080).bytes()), (None, None));
        // a cut packet still classifies on what it has
        assert_eq!(run(&tcp(8080)[..22]), (Some(2), Some(2)));
    }

    /// Pairs of relations on one field, with every connective, against
    /// every value of the field: the facts about ranges hold at their edges
    /// (for a field at the bottom of its word and one at the top).
    #[test]
    fn range_facts_at_their_edges() {
        let rels = ["==", "!=", "<", ">", "<=", ">="];
        let mut bytes = Pkt::udp(1, 2).bytes();
        for (field, at) in [("ip[11]", 11), ("ip ttl", 8)] {
            for a in rels {
                for b in rels {
                    for (x, y) in [(3, 3), (3, 4), (4, 3), (2, 4)] {
                        for shape in [
                            "{} and {}",
                            "{} or {}",
                            "not {} and {}",
                            "{} ? {} : ip id 9",
                        ] {
                            let text = shape
                                .replacen("{}", &alloc::format!("{field} {a} {x}"), 1)
                                .replacen("{}", &alloc::format!("{field} {b} {y}"), 1);
                            let arg = Arg {
                                text: text.clone(),
                                span: 0..text.len(),
                            };
                            let e = parse_pattern(&arg, &text).unwrap();
                            let p = Program::compile([(&e, Some(0))]);
                            for v in 0..=255u8 {
                                bytes[at] = v;
                                let h = Headers::ip(&bytes);
                                let want = e.matches(&h).then_some(0);
                                assert_eq!(p.run(&h), want, "{text} with {v}\n{p}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn loads_never_read_past_the_end() {
        assert_eq!(load(&[1, 2, 3, 4, 5], 1), 0x0203_0405);
        assert_eq!(load(&[1, 2, 3], 1), 0x0203_0000);
        assert_eq!(load(&[1, 2, 3], 8), 0);
        assert_eq!(load(&[], 1 << 20), 0);
    }

    mod property {
        use super::*;
        use crate::ip::ip_classifier_expr::{Action, ProtoSel};
        use alloc::{boxed::Box, vec};
        use proptest::prelude::*;
        use proptest::sample::select;

        const DCCP: ProtoSel = ProtoSel::Num(33);

        fn addr() -> impl Strategy<Value = [u8; 4]> {
            prop_oneof![
                3 => Just([10, 0, 0, 1]),
                3 => Just([192, 168, 1, 2]),
                1 => Just([10, 0, 0, 2]),
                1 => any::<[u8; 4]>(),
            ]
        }

        fn mask32() -> impl Strategy<Value = u32> {
            prop_oneof![
                4 => Just(u32::MAX),
                2 => (0u32..=32).prop_map(|n| u32::MAX.checked_shl(32 - n).unwrap_or(0)),
                1 => any::<u32>(),
            ]
        }

        fn small() -> impl Strategy<Value = u32> {
            prop_oneof![
                3 => select(vec![0u32, 1, 2, 3, 4, 5, 6, 8, 17, 22, 53, 64, 80, 255, 1023, 1024, 65535]),
                1 => any::<u32>(),
            ]
        }

        fn mask_for(full: u32) -> impl Strategy<Value = u32> {
            prop_oneof![4 => Just(full), 1 => any::<u32>().prop_map(move |m| m & full), 1 => Just(0)]
        }

        fn proto_sel() -> impl Strategy<Value = ProtoSel> {
            prop_oneof![
                3 => select(vec![TCP, UDP, ICMP, DCCP]),
                2 => select(vec![ProtoSel::TcpOrUdp, ProtoSel::Transp, ProtoSel::Payload]),
                1 => any::<u8>().prop_map(ProtoSel::Num),
            ]
        }

        fn field() -> impl Strategy<Value = Field> {
            let raw = (prop::option::of(proto_sel()), 0u16..16, 0u16..4, 1u8..=4).prop_map(
                |(transport, word, at, len)| Field::Raw {
                    transport,
                    offset: word * 4 + at,
                    len: len.min(4 - at as u8),
                },
            );
            prop_oneof![
                3 => select(vec![
                    Field::Vers, Field::Hl, Field::Tos, Field::Dscp, Field::Len,
                    Field::Id, Field::Ttl, Field::TcpWin, Field::IcmpType,
                ]),
                2 => raw,
            ]
        }

        fn dir() -> impl Strategy<Value = Dir> {
            select(vec![Dir::Src, Dir::Dst, Dir::SrcOrDst, Dir::SrcAndDst])
        }

        fn mac() -> impl Strategy<Value = [u8; 6]> {
            prop_oneof![3 => select(vec![[2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]]), 1 => any::<[u8; 6]>()]
        }

        fn test() -> impl Strategy<Value = Test> {
            prop_oneof![
                3 => (dir(), addr(), mask32()).prop_map(|(dir, a, m)| Test::Host {
                    dir,
                    addr: Ipv4Addr::from(a),
                    mask: Ipv4Addr::from(m),
                }),
                1 => (dir(), mac(), prop_oneof![3 => Just([0xFF; 6]), 1 => any::<[u8; 6]>()])
                    .prop_map(|(dir, addr, mask)| Test::Ether { dir, addr, mask }),
                2 => (proto_sel(), mask_for(0xFF)).prop_map(|(proto, mask)| Test::Proto {
                    proto,
                    mask: mask as u8,
                }),
                3 => (dir(), small(), mask_for(0xFFFF)).prop_map(|(dir, port, mask)| Test::Port {
                    dir,
                    port,
                    mask: mask as u16,
                }),
                2 => any::<u8>().prop_map(|flags| Test::TcpOpt { flags }),
                4 => (field(), small(), any::<u32>(), any::<bool>()).prop_map(
                    |(field, value, mask, full)| {
                        let mask = if full { field.full_mask() } else { mask };
                        Test::Field { field, value, mask }
                    }
                ),
                1 => Just(Test::Frag),
            ]
        }

        fn op() -> impl Strategy<Value = RelOp> {
            prop_oneof![
                3 => Just(RelOp::Eq),
                2 => select(vec![RelOp::Ne, RelOp::Lt, RelOp::Gt, RelOp::Le, RelOp::Ge]),
            ]
        }

        fn primitive() -> impl Strategy<Value = Expr> {
            (test(), op(), prop::option::of(proto_sel()), proto_sel()).prop_map(
                |(test, op, proto, port_proto)| {
                    let proto = match &test {
                        Test::Port { .. } => Some(match port_proto {
                            p @ (TCP | UDP | DCCP | ProtoSel::TcpOrUdp) => p,
                            _ => ProtoSel::TcpOrUdp,
                        }),
                        Test::TcpOpt { .. } => Some(TCP),
                        Test::Proto { .. } => None,
                        Test::Field {
                            field: Field::TcpWin,
                            ..
                        } => Some(TCP),
                        Test::Field {
                            field: Field::IcmpType,
                            ..
                        } => Some(ICMP),
                        Test::Field {
                            field:
                                Field::Raw {
                                    transport: Some(p), ..
                                },
                            ..
                        } => Some(*p),
                        _ => proto,
                    };
                    Expr::Test(Primitive {
                        test,
                        op,
                        proto,
                        span: 0..0,
                    })
                },
            )
        }

        fn expr() -> impl Strategy<Value = Expr> {
            let leaf = prop_oneof![
                1 => Just(Expr::True),
                1 => Just(Expr::False),
                12 => primitive(),
            ];
            leaf.prop_recursive(4, 24, 4, |inner| {
                prop_oneof![
                    1 => inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                    2 => prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::And),
                    2 => prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::Or),
                    1 => (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| {
                        Expr::Cond(Box::new(c), Box::new(a), Box::new(b))
                    }),
                ]
            })
        }

        fn action() -> impl Strategy<Value = Action> {
            prop_oneof![3 => (0u32..4).prop_map(Action::Output), 1 => Just(Action::Drop)]
        }

        /// Valid, fragmented, optioned, odd-protocol and cut packets, with
        /// a link header or without.
        fn packet() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
            let transport = prop_oneof![
                3 => (small(), small(), any::<u8>())
                    .prop_map(|(s, d, f)| Pkt::tcp(s as u16, d as u16, f)),
                2 => (small(), small()).prop_map(|(s, d)| Pkt::udp(s as u16, d as u16)),
                2 => (select(vec![0u8, 3, 8, 11]), any::<u8>()).prop_map(|(t, c)| Pkt::icmp(t, c)),
                1 => (small(), small()).prop_map(|(s, d)| Pkt { proto: 33, ..Pkt::udp(s as u16, d as u16) }),
                1 => (any::<u8>(), prop::collection::vec(any::<u8>(), 0..24))
                    .prop_map(|(p, b)| Pkt::ip(p, &b)),
            ];
            let frag = select(vec![0u16, 0x4000, 0x2000, 0x00B9, 0x20B9, 0x3FFF, 0x8001]);
            let ether = prop_oneof![
                1 => Just(Vec::new()),
                3 => (mac(), mac()).prop_map(|(d, s)| [&d[..], &s[..], &[8, 0]].concat()),
                1 => prop::collection::vec(any::<u8>(), 0..14),
            ];
            (
                transport,
                (
                    addr(),
                    addr(),
                    frag,
                    any::<u8>(),
                    select(vec![0u8, 1, 2, 3, 4, 64, 255]),
                ),
                prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(any::<u8>(), 1..41)],
                prop_oneof![3 => Just(usize::MAX), 1 => 0usize..70],
                prop_oneof![6 => Just(None), 1 => any::<u8>().prop_map(Some)],
                ether,
            )
                .prop_map(
                    |(mut p, (src, dst, frag, tos, ttl), options, cut, first, ether)| {
                        (p.src, p.dst, p.frag, p.tos, p.ttl, p.options) =
                            (src, dst, frag, tos, ttl, options);
                        let mut b = p.bytes();
                        b.truncate(cut);
                        if let (Some(v), Some(b0)) = (first, b.first_mut()) {
                            *b0 = v;
                        }
                        (ether, b)
                    },
                )
        }

        fn verdict(rules: &[(Action, Expr)], h: &Headers) -> Option<usize> {
            match rules.iter().find(|(_, e)| e.matches(h))?.0 {
                Action::Output(n) => Some(n as usize),
                Action::Drop => None,
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// The compiled program (both of its forms) and the reference
            /// interpreter give every packet the same verdict.
            #[test]
            fn program_agrees_with_interpreter(
                rules in prop::collection::vec((action(), expr()), 1..5),
                packets in prop::collection::vec(packet(), 1..10),
            ) {
                let prog = Program::compile(rules.iter().map(|(a, e)| {
                    (e, match a { Action::Output(n) => Some(*n as usize), Action::Drop => None })
                }));
                for (ether, ip) in &packets {
                    let h = Headers::new(ether, ip);
                    let want = verdict(&rules, &h);
                    prop_assert_eq!(prog.run(&h), want, "ether {:02x?} ip {:02x?}\n{}", ether, ip, prog);
                    prop_assert_eq!(prog.checked.run::<true, true>(&h), want);
                }
            }
        }
    }
}
