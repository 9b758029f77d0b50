//! Checks a flattened [`Graph`] against the element registry: classes and
//! configurations, port counts, unconnected ports, and Click's
//! push/pull/agnostic resolution.

use crate::diag::Diagnostic;
use crate::graph::{Element, Graph};
use crate::registry::{ConfigPorts, Registry};
use std::collections::VecDeque;
use std::fmt;

/// How packets move through a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processing {
    /// The upstream element hands packets on.
    Push,
    /// The downstream element asks for packets.
    Pull,
    /// Either, decided by the neighbours (before resolution only).
    Agnostic,
}

impl Processing {
    fn from_code(c: u8) -> Option<Processing> {
        match c {
            b'h' => Some(Processing::Push),
            b'l' => Some(Processing::Pull),
            b'a' => Some(Processing::Agnostic),
            _ => None,
        }
    }

    /// Click's one-letter code: `h`, `l` or `a`.
    pub fn code(self) -> char {
        match self {
            Processing::Push => 'h',
            Processing::Pull => 'l',
            Processing::Agnostic => 'a',
        }
    }
}

impl fmt::Display for Processing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Processing::Push => "push",
            Processing::Pull => "pull",
            Processing::Agnostic => "agnostic",
        })
    }
}

/// The resolved ports of one element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortInfo {
    /// Processing of each input port.
    pub inputs: Vec<Processing>,
    /// Processing of each output port.
    pub outputs: Vec<Processing>,
}

/// A port-count range: `lo..=hi` (`hi` = `None` for no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    /// Fewest ports.
    pub lo: u32,
    /// Most ports, if limited.
    pub hi: Option<u32>,
}

impl PortRange {
    /// The ports both ranges allow: a configuration's count within the
    /// class's.
    pub fn narrow(self, other: PortRange) -> PortRange {
        let hi = match (self.hi, other.hi) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        PortRange {
            lo: self.lo.max(other.lo),
            hi,
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hi {
            Some(hi) if hi == self.lo => write!(f, "{hi}"),
            Some(hi) => write!(f, "{}-{hi}", self.lo),
            None if self.lo == 0 => f.write_str("-"),
            None => write!(f, "{}-", self.lo),
        }
    }
}

/// Parses Click's port count (`"1/1-2"`, `"1/-"`, `"2"`) into input and
/// output ranges.
pub fn parse_port_count(s: &str) -> Option<(PortRange, PortRange)> {
    let one = |t: &str| -> Option<PortRange> {
        let t = t.trim();
        let num = |x: &str| x.parse::<u32>().ok();
        Some(match t.split_once('-') {
            None => {
                let n = num(t)?;
                PortRange { lo: n, hi: Some(n) }
            }
            Some((a, b)) => PortRange {
                lo: if a.is_empty() { 0 } else { num(a)? },
                hi: if b.is_empty() { None } else { Some(num(b)?) },
            },
        })
    };
    match s.split_once('/') {
        Some((i, o)) => Some((one(i)?, one(o)?)),
        None => one(s).map(|r| (r, r)),
    }
}

/// Code `codes` for port `i`: the last code repeats for later ports.
fn code_at(codes: &[u8], i: usize) -> u8 {
    codes.get(i).or(codes.last()).copied().unwrap_or(b'a')
}

fn split_codes(s: &str) -> (&[u8], &[u8]) {
    match s.split_once('/') {
        Some((i, o)) => (i.as_bytes(), o.as_bytes()),
        None => (s.as_bytes(), s.as_bytes()),
    }
}

/// True when Click's flow code lets input `i` reach output `o`.
fn flows(flow: &str, i: usize, o: usize) -> bool {
    let (ins, outs) = split_codes(flow);
    let (a, b) = (code_at(ins, i), code_at(outs, o));
    if a == b'#' || b == b'#' {
        a == b && i == o
    } else {
        a == b
    }
}

/// Checks `graph` and returns the resolved processing of every element's
/// ports (indexed like `graph.elements`). Problems go to `diags`.
pub fn check(graph: &Graph, registry: &dyn Registry, diags: &mut Vec<Diagnostic>) -> Vec<PortInfo> {
    let n = graph.elements.len();
    // Connections per port, gathered once.
    let mut outs: Vec<Vec<Vec<usize>>> = vec![Vec::new(); n];
    let mut ins: Vec<Vec<Vec<usize>>> = vec![Vec::new(); n];
    for (k, c) in graph.connections.iter().enumerate() {
        let slot = |v: &mut Vec<Vec<usize>>, p: u32| {
            let p = p as usize;
            if v.len() <= p {
                v.resize(p + 1, Vec::new());
            }
            v[p].push(k);
        };
        slot(&mut outs[c.from.element], c.from.port);
        slot(&mut ins[c.to.element], c.to.port);
    }

    let mut ports = vec![PortInfo::default(); n];
    let mut flow_codes = vec!["x/x"; n];
    for (i, e) in graph.elements.iter().enumerate() {
        if e.unknown_class {
            continue;
        }
        let Some(info) = registry.lookup(&e.class) else {
            continue;
        };
        let fixed = match registry.configure(&e.class, &e.config.text) {
            Ok(fixed) => fixed,
            Err(issues) => {
                for issue in issues {
                    let span = match issue.range {
                        Some(r) => e.config.source_span(r, e.span),
                        None => e.span,
                    };
                    let mut d = Diagnostic::error(
                        format!("{}: {}", e.class, issue.message),
                        span,
                        format!("in the configuration of `{}`", e.name),
                    );
                    if let Some(h) = issue.hint {
                        d = d.with_hint(h);
                    }
                    diags.push(in_context(d, e));
                }
                ConfigPorts::default()
            }
        };
        let Some((in_range, out_range)) = parse_port_count(info.port_count) else {
            continue;
        };
        let reason = &fixed.reason;
        let mut side =
            |used: &[Vec<usize>], range: PortRange, by_config: Option<PortRange>, name| {
                let (range, why) = match by_config {
                    Some(f) => (range.narrow(f), reason.clone()),
                    None => (range, format!("ports {}", info.port_count)),
                };
                port_count(graph, diags, e, used, range, name, &why)
            };
        let nin = side(&ins[i], in_range, fixed.inputs, "input");
        let nout = side(&outs[i], out_range, fixed.outputs, "output");
        let (pin, pout) = split_codes(info.processing);
        let at = |codes: &[u8], p: usize| {
            Processing::from_code(code_at(codes, p)).unwrap_or(Processing::Agnostic)
        };
        ports[i] = PortInfo {
            inputs: (0..nin).map(|p| at(pin, p)).collect(),
            outputs: (0..nout).map(|p| at(pout, p)).collect(),
        };
        flow_codes[i] = info.flow_code;
    }

    let declared = ports.clone();
    resolve(graph, &mut ports, &flow_codes, &outs, &ins);

    // An agnostic element pushed into and pulled from on linked ports.
    for (e, (before, after)) in declared.iter().zip(&ports).enumerate() {
        let conflict = (0..before.inputs.len()).find_map(|i| {
            (0..before.outputs.len())
                .find(|&o| {
                    before.inputs[i] == Processing::Agnostic
                        && before.outputs[o] == Processing::Agnostic
                        && flows(flow_codes[e], i, o)
                        && after.inputs[i] != after.outputs[o]
                })
                .map(|o| (i, o))
        });
        if let Some((i, o)) = conflict {
            let el = &graph.elements[e];
            let d = Diagnostic::error(
                format!(
                    "agnostic `{}` is used as {} on input {i} and as {} on output {o}",
                    el.name, after.inputs[i], after.outputs[o]
                ),
                el.span,
                "push meets pull here",
            )
            .with_hint("packets pushed into an element cannot be pulled out of it: put a Queue where push meets pull");
            diags.push(in_context(d, el));
        }
    }

    // Mismatched connections, and ports used more than once.
    let name = |p: crate::graph::Port| &graph.elements[p.element].name;
    for c in &graph.connections {
        let (Some(&o), Some(&i)) = (
            ports[c.from.element].outputs.get(c.from.port as usize),
            ports[c.to.element].inputs.get(c.to.port as usize),
        ) else {
            continue;
        };
        if o != i {
            let (hint, label) = if o == Processing::Push {
                ("a push output cannot feed a pull input directly: put a Queue between them (`-> Queue ->`)", "push to pull")
            } else {
                ("a pull output cannot feed a push input directly: put an Unqueue between them (`-> Unqueue ->`)", "pull to push")
            };
            diags.push(
                Diagnostic::error(
                    format!(
                        "`{}` {o} output {} connected to `{}` {i} input {}",
                        name(c.from),
                        c.from.port,
                        name(c.to),
                        c.to.port
                    ),
                    c.span,
                    label,
                )
                .with_hint(hint),
            );
        }
    }
    for (e, (eo, ei)) in outs.iter().zip(&ins).enumerate() {
        for (p, list) in eo.iter().enumerate() {
            if list.len() > 1 && ports[e].outputs.get(p) == Some(&Processing::Push) {
                let c = &graph.connections[list[1]];
                diags.push(
                    Diagnostic::error(
                        format!("`{}` push output {p} is connected more than once", graph.elements[e].name),
                        c.span,
                        "second connection",
                    )
                    .with_note(graph.connections[list[0]].span, "first connection")
                    .with_hint("a push output hands each packet to one input; copy packets with Tee to feed several"),
                );
            }
        }
        for (p, list) in ei.iter().enumerate() {
            if list.len() > 1 && ports[e].inputs.get(p) == Some(&Processing::Pull) {
                let c = &graph.connections[list[1]];
                diags.push(
                    Diagnostic::error(
                        format!("`{}` pull input {p} is connected more than once", graph.elements[e].name),
                        c.span,
                        "second connection",
                    )
                    .with_note(graph.connections[list[0]].span, "first connection")
                    .with_hint("a pull input asks one output for packets; merge several with a scheduler such as RoundRobinSched"),
                );
            }
        }
    }
    ports
}

/// Checks the ports of one side of `e` against `range`, which `why`
/// explains (`ports 1/-`, `one per pattern`); returns how many ports the
/// element has.
fn port_count(
    graph: &Graph,
    diags: &mut Vec<Diagnostic>,
    e: &Element,
    used: &[Vec<usize>],
    range: PortRange,
    side: &str,
    why: &str,
) -> usize {
    let plural = |n: u32| if n == 1 { "" } else { "s" };
    let mut count = used.len() as u32;
    if let Some(hi) = range.hi {
        if count > hi {
            for p in hi..count {
                for &k in &used[p as usize] {
                    diags.push(
                        Diagnostic::error(
                            format!("`{}` has no {side} {p}", e.name),
                            graph.connections[k].span,
                            format!("{side} {p} used here"),
                        )
                        .with_note(
                            e.span,
                            format!("{} has {hi} {side}{} ({why})", e.class, plural(hi)),
                        )
                        .with_hint(match hi {
                            0 => format!("{} has no {side}s", e.class),
                            1 => format!("use {side} 0, the only one"),
                            _ => format!("use {side}s 0 to {}", hi - 1),
                        }),
                    );
                }
            }
            count = hi;
        }
    }
    let count = count.max(range.lo);
    for p in 0..count {
        if used.get(p as usize).is_none_or(Vec::is_empty) {
            let hint = if side == "input" {
                "connect something to it, or feed it from `Idle` if it should receive nothing"
            } else {
                "connect it to something, or to `Discard` to drop its packets"
            };
            let d = Diagnostic::error(
                format!("`{}` {side} {p} is not connected", e.name),
                e.span,
                format!("{side} {p} of {} ({why})", e.class),
            )
            .with_hint(hint);
            diags.push(in_context(d, e));
        }
    }
    count as usize
}

/// Adds the compound-element use that produced `e`, if any.
fn in_context(d: Diagnostic, e: &Element) -> Diagnostic {
    match e.context.last() {
        Some(&s) => d.with_note(s, "in this compound element"),
        None => d,
    }
}

/// Click's processing resolution: an agnostic port takes the processing of
/// the port it is connected to, and an element's agnostic ports that the
/// flow code links take each other's; what stays agnostic becomes push.
fn resolve(
    graph: &Graph,
    ports: &mut [PortInfo],
    flow: &[&str],
    outs: &[Vec<Vec<usize>>],
    ins: &[Vec<Vec<usize>>],
) {
    // Work items: (element, is_output, port) whose processing is known.
    let mut queue: VecDeque<(usize, bool, usize)> = VecDeque::new();
    for (e, p) in ports.iter().enumerate() {
        for (i, &x) in p.inputs.iter().enumerate() {
            if x != Processing::Agnostic {
                queue.push_back((e, false, i));
            }
        }
        for (o, &x) in p.outputs.iter().enumerate() {
            if x != Processing::Agnostic {
                queue.push_back((e, true, o));
            }
        }
    }
    while let Some((e, is_out, p)) = queue.pop_front() {
        let value = if is_out {
            ports[e].outputs[p]
        } else {
            ports[e].inputs[p]
        };
        // Across connections.
        let links = if is_out {
            outs[e].get(p)
        } else {
            ins[e].get(p)
        };
        for &k in links.into_iter().flatten() {
            let c = &graph.connections[k];
            let (other, port) = if is_out {
                (c.to, &mut ports[c.to.element].inputs)
            } else {
                (c.from, &mut ports[c.from.element].outputs)
            };
            if let Some(slot) = port.get_mut(other.port as usize) {
                if *slot == Processing::Agnostic {
                    *slot = value;
                    queue.push_back((other.element, !is_out, other.port as usize));
                }
            }
        }
        // Within the element, along its flow code.
        let n_other = if is_out {
            ports[e].inputs.len()
        } else {
            ports[e].outputs.len()
        };
        for q in 0..n_other {
            let linked = if is_out {
                flows(flow[e], q, p)
            } else {
                flows(flow[e], p, q)
            };
            let side = if is_out {
                &mut ports[e].inputs
            } else {
                &mut ports[e].outputs
            };
            if linked && side[q] == Processing::Agnostic {
                side[q] = value;
                queue.push_back((e, !is_out, q));
            }
        }
    }
    for p in ports.iter_mut() {
        for x in p.inputs.iter_mut().chain(p.outputs.iter_mut()) {
            if *x == Processing::Agnostic {
                *x = Processing::Push;
            }
        }
    }
}
