//! Classifier's compiled form: a program of 32-bit masked word compares.
//!
//! As in Click, `configure` turns the patterns into a list of instructions,
//! each of which loads the 4-byte-aligned packet word at an offset, ANDs it
//! with a mask, compares it with a value and jumps to a later instruction,
//! an output, or the drop, depending on the answer. Jumps only go forward,
//! so every packet runs at most as many tests as the program has
//! instructions, and matching allocates nothing.
//!
//! Compilation, in three steps:
//!
//! 1. Each term becomes the word tests it implies (one per aligned word it
//!    touches; bytes whose mask is zero are not tested at all). A pattern's
//!    positive terms are merged word by word, so `12/08 13/00` is one test,
//!    and a contradictory pair (`12/0806 12/0800`) makes the pattern one that
//!    never matches. A negated term `!T` becomes a group that fails only when
//!    every word test of `T` holds.
//! 2. The patterns are laid out as Click lays them out before optimizing:
//!    a chain of tests per pattern, whose failure jumps to the next pattern.
//! 3. Jump threading: for each instruction, the facts that hold on every
//!    path reaching it are computed (word tests known to hold or to fail);
//!    an edge whose target's answer those facts already decide jumps past
//!    the target. This is what makes `Classifier(12/0806 20/0001,
//!    12/0806 20/0002, 12/0800, -)` test `12/0806` once, and never test
//!    `12/0800` once `12/0806` is known. Unreachable instructions are then
//!    removed.
//!
//! A word test on a packet too short to hold its last compared byte fails,
//! which is Click's behaviour, so a negated term holds on such a packet.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::classifier::{Pattern, Term};

/// Where a test sends the packet next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Run the instruction with this index (always a later one).
    Step(usize),
    /// Emit on this output.
    Output(usize),
    /// No pattern matches: drop.
    Drop,
}

impl fmt::Display for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Next::Step(i) => write!(f, "step {i}"),
            Next::Output(o) => write!(f, "[{o}]"),
            Next::Drop => f.write_str("drop"),
        }
    }
}

/// One masked compare of the packet word at a 4-byte-aligned offset.
///
/// `mask` and `value` hold the word's bytes in packet order (a native-endian
/// `u32` of them), so a test is a plain load, AND and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Word {
    /// Offset of the word's first byte; a multiple of 4.
    offset: usize,
    /// Bits compared; never zero in a program.
    mask: u32,
    /// Expected bits; `value & !mask == 0`.
    value: u32,
}

impl Word {
    /// The packet length the test needs: up to its last compared byte.
    fn need(&self) -> usize {
        let last = self
            .mask
            .to_ne_bytes()
            .iter()
            .rposition(|&b| b != 0)
            .map_or(0, |i| i + 1);
        self.offset.saturating_add(last)
    }
}

/// A word test, with what is already known about its outcome: `true` when
/// it holds.
type Fact = (Word, bool);

/// One instruction of a compiled program.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Insn {
    /// The compare.
    word: Word,
    /// `word.offset + 4`, saturated.
    end: usize,
    /// Shortest packet the compare can hold on.
    need: usize,
    /// Where to go when it holds.
    yes: Next,
    /// Where to go when it does not (or the packet is too short).
    no: Next,
}

impl Insn {
    fn new(word: Word, yes: Next, no: Next) -> Self {
        Insn {
            word,
            end: word.offset.saturating_add(4),
            need: word.need(),
            yes,
            no,
        }
    }

    fn next(&self, holds: bool) -> Next {
        if holds {
            self.yes
        } else {
            self.no
        }
    }

    fn set_next(&mut self, holds: bool, to: Next) {
        if holds {
            self.yes = to;
        } else {
            self.no = to;
        }
    }

    /// Runs the compare on `data`; false when `data` is too short.
    #[inline]
    fn holds(&self, data: &[u8]) -> bool {
        let word = match data.get(self.word.offset..self.end) {
            Some(&[a, b, c, d]) => u32::from_ne_bytes([a, b, c, d]),
            _ => {
                // The word runs past the end of the packet; the test still
                // holds if every byte it compares is there.
                if data.len() < self.need {
                    return false;
                }
                let mut bytes = [0u8; 4];
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = data.get(self.word.offset + i).copied().unwrap_or(0);
                }
                u32::from_ne_bytes(bytes)
            }
        };
        word & self.word.mask == self.word.value
    }
}

/// A compiled Classifier: the decision program `configure` builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Program {
    /// Where matching starts (an output or the drop when no test is needed).
    start: Next,
    /// The instructions; every jump goes to a later one.
    insns: Vec<Insn>,
}

impl Default for Program {
    /// The program of a Classifier without patterns: drop everything.
    fn default() -> Self {
        Program {
            start: Next::Drop,
            insns: Vec::new(),
        }
    }
}

impl Program {
    /// Compiles `patterns`; pattern `i` leads to output `i`.
    pub(crate) fn compile(patterns: &[Pattern]) -> Self {
        let (mut start, mut insns) = layout(patterns);
        while thread(&mut insns, &mut start) {}
        compact(&mut insns, &mut start);
        Program { start, insns }
    }

    /// The output of the first pattern `data` matches, or `None`.
    #[inline]
    pub(crate) fn classify(&self, data: &[u8]) -> Option<usize> {
        let mut next = self.start;
        loop {
            match next {
                Next::Step(i) => {
                    let insn = self.insns.get(i)?;
                    next = if insn.holds(data) { insn.yes } else { insn.no };
                }
                Next::Output(o) => return Some(o),
                Next::Drop => return None,
            }
        }
    }

    /// Number of instructions.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.insns.len()
    }

    /// Number of instructions that test the word at `offset`.
    #[cfg(test)]
    pub(crate) fn tests_at(&self, offset: usize) -> usize {
        self.insns
            .iter()
            .filter(|i| i.word.offset == offset)
            .count()
    }
}

impl fmt::Display for Program {
    /// Click's `program` handler format: one line per instruction, then the
    /// safe length (the shortest packet on which no test fails for length).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.insns.is_empty() {
            writeln!(f, "all->{}", self.start)?;
        }
        for (i, insn) in self.insns.iter().enumerate() {
            write!(f, "{i:>3}  {}/", insn.word.offset)?;
            for b in insn.word.value.to_ne_bytes() {
                write!(f, "{b:02x}")?;
            }
            f.write_str("%")?;
            for b in insn.word.mask.to_ne_bytes() {
                write!(f, "{b:02x}")?;
            }
            writeln!(f, "  yes->{}  no->{}", insn.yes, insn.no)?;
        }
        let safe = self.insns.iter().map(|i| i.need).max().unwrap_or(0);
        writeln!(f, "safe length {safe}")
    }
}

/// The word tests a term implies, one per aligned word with a compared byte;
/// their conjunction holds exactly when the term does.
fn term_words(t: &Term) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let base = usize::try_from(t.offset).unwrap_or(usize::MAX);
    for (k, (&v, &m)) in t.value.iter().zip(&t.mask).enumerate() {
        if m == 0 {
            continue;
        }
        let pos = base.saturating_add(k);
        let (mut mb, mut vb) = ([0u8; 4], [0u8; 4]);
        mb[pos % 4] = m;
        vb[pos % 4] = v & m;
        let w = Word {
            offset: pos - pos % 4,
            mask: u32::from_ne_bytes(mb),
            value: u32::from_ne_bytes(vb),
        };
        match out.last_mut() {
            Some(last) if last.offset == w.offset => {
                last.mask |= w.mask;
                last.value |= w.value;
            }
            _ => out.push(w),
        }
    }
    out
}

/// A pattern as word tests: all of `all` must hold, and for each group of
/// `none_of`, not all of the group may hold.
struct Plan {
    all: Vec<Word>,
    none_of: Vec<Vec<Word>>,
}

impl Plan {
    /// The plan of `p`, or `None` when `p` can never match.
    fn of(p: &Pattern) -> Option<Plan> {
        let mut all = Vec::new();
        let mut none_of = Vec::new();
        for t in &p.terms {
            let words = term_words(t);
            if !t.negated {
                all.extend(words);
            } else if words.is_empty() {
                // `!` of a term that compares nothing (`!12/??`).
                return None;
            } else {
                none_of.push(words);
            }
        }
        all.sort_by_key(|w| w.offset);
        let mut merged: Vec<Word> = Vec::with_capacity(all.len());
        for w in all {
            match merged.last_mut() {
                Some(last) if last.offset == w.offset => {
                    if (last.value ^ w.value) & last.mask & w.mask != 0 {
                        return None;
                    }
                    last.mask |= w.mask;
                    last.value |= w.value;
                }
                _ => merged.push(w),
            }
        }
        Some(Plan {
            all: merged,
            none_of,
        })
    }

    fn len(&self) -> usize {
        self.all.len() + self.none_of.iter().map(Vec::len).sum::<usize>()
    }
}

/// Lays the patterns out as chains of tests, the failure of each pattern
/// jumping to the start of the next one.
fn layout(patterns: &[Pattern]) -> (Next, Vec<Insn>) {
    let plans: Vec<Option<Plan>> = patterns.iter().map(Plan::of).collect();
    let mut first = Vec::with_capacity(plans.len());
    let mut count = 0;
    for plan in &plans {
        first.push(count);
        count += plan.as_ref().map_or(0, Plan::len);
    }
    // entry[i]: where matching pattern i (and, on failure, the rest) starts.
    let mut entry = vec![Next::Drop; plans.len() + 1];
    for (i, plan) in plans.iter().enumerate().rev() {
        entry[i] = match plan {
            None => entry[i + 1],
            Some(p) if p.len() == 0 => Next::Output(i),
            Some(_) => Next::Step(first[i]),
        };
    }
    let mut insns = Vec::with_capacity(count);
    for (i, plan) in plans.iter().enumerate() {
        let Some(plan) = plan else { continue };
        let fail = entry[i + 1];
        let end = first[i] + plan.len();
        let after = |j: usize| {
            if j < end {
                Next::Step(j)
            } else {
                Next::Output(i)
            }
        };
        for &w in &plan.all {
            let here = insns.len();
            insns.push(Insn::new(w, after(here + 1), fail));
        }
        for group in &plan.none_of {
            let group_end = insns.len() + group.len();
            for (k, &w) in group.iter().enumerate() {
                let here = insns.len();
                let yes = if k + 1 == group.len() {
                    fail
                } else {
                    Next::Step(here + 1)
                };
                insns.push(Insn::new(w, yes, after(group_end)));
            }
        }
    }
    (entry[0], insns)
}

/// What `facts` say about `w`: `Some(true)` when it must hold, `Some(false)`
/// when it cannot, `None` when they do not decide it.
fn decide(facts: &[Fact], w: &Word) -> Option<bool> {
    let (mut known, mut bits) = (0u32, 0u32);
    for (f, holds) in facts.iter().filter(|(f, _)| f.offset == w.offset) {
        if *holds {
            known |= f.mask;
            bits |= f.value;
        } else if f.mask & w.mask == f.mask && (w.value ^ f.value) & f.mask == 0 {
            // `w` holding would make `f` hold (its bytes are a subset of
            // `w`'s, with the same values, so it needs no longer a packet).
            return Some(false);
        }
    }
    if (bits ^ w.value) & known & w.mask != 0 {
        Some(false)
    } else if known & w.mask == w.mask {
        // Every compared bit is known, from tests that needed at least as
        // long a packet.
        Some(true)
    } else {
        None
    }
}

fn add_fact(facts: &mut Vec<Fact>, fact: Fact) {
    if !facts.contains(&fact) {
        facts.push(fact);
    }
}

/// Follows `target` past every instruction whose outcome `facts` decide (or
/// whose two branches agree), adding the decided outcomes to `facts`.
fn follow(insns: &[Insn], facts: &mut Vec<Fact>, mut target: Next) -> Next {
    while let Next::Step(u) = target {
        let Some(insn) = insns.get(u) else { break };
        if insn.yes == insn.no {
            target = insn.yes;
            continue;
        }
        let Some(holds) = decide(facts, &insn.word) else {
            break;
        };
        add_fact(facts, (insn.word, holds));
        target = insn.next(holds);
    }
    target
}

/// One pass of jump threading; true when some jump changed.
fn thread(insns: &mut [Insn], start: &mut Next) -> bool {
    // known[u]: the facts that hold on every path into `u` seen so far;
    // `None` until a path is seen. Jumps go forward, so when `u` is reached
    // in index order every path into it has been seen.
    let mut known: Vec<Option<Vec<Fact>>> = vec![None; insns.len()];
    let meet = |slot: &mut Option<Vec<Fact>>, facts: &[Fact]| match slot {
        None => *slot = Some(facts.to_vec()),
        Some(old) => old.retain(|f| facts.contains(f)),
    };
    let mut facts = Vec::new();
    let new_start = follow(insns, &mut facts, *start);
    let mut changed = new_start != *start;
    *start = new_start;
    if let Next::Step(u) = new_start {
        meet(&mut known[u], &facts);
    }
    for t in 0..insns.len() {
        let Some(here) = known[t].take() else {
            continue;
        };
        for holds in [true, false] {
            facts.clear();
            facts.extend_from_slice(&here);
            add_fact(&mut facts, (insns[t].word, holds));
            let old = insns[t].next(holds);
            let new = follow(insns, &mut facts, old);
            if new != old {
                insns[t].set_next(holds, new);
                changed = true;
            }
            if let Next::Step(u) = new {
                if let Some(slot) = known.get_mut(u) {
                    meet(slot, &facts);
                }
            }
        }
    }
    changed
}

/// Drops unreachable instructions and renumbers the rest, keeping their
/// order (so jumps still go forward).
fn compact(insns: &mut Vec<Insn>, start: &mut Next) {
    let mut reachable = vec![false; insns.len()];
    if let Next::Step(s) = *start {
        reachable[s] = true;
    }
    for t in 0..insns.len() {
        if reachable[t] {
            for next in [insns[t].yes, insns[t].no] {
                if let Next::Step(u) = next {
                    reachable[u] = true;
                }
            }
        }
    }
    let mut index = vec![0; insns.len()];
    let mut n = 0;
    for (t, &r) in reachable.iter().enumerate() {
        index[t] = n;
        n += usize::from(r);
    }
    let renumber = |next: Next| match next {
        Next::Step(u) => Next::Step(index[u]),
        other => other,
    };
    *start = renumber(*start);
    let mut keep = reachable.iter();
    insns.retain(|_| keep.next().copied().unwrap_or(false));
    for insn in insns.iter_mut() {
        insn.yes = renumber(insn.yes);
        insn.no = renumber(insn.no);
    }
}
