//! The flattened graph as Click text, Graphviz DOT, or JSON.

use crate::check::PortInfo;
use crate::graph::Graph;
use serde_json::json;
use std::fmt::Write;

/// The flattened configuration in Click's language: one declaration per
/// element, then one connection per line, as `click-flatten` prints it.
/// With `ports`, each declaration carries a comment with the resolved
/// processing of its inputs and outputs (`// h/hl`).
pub fn to_click(graph: &Graph, ports: Option<&[PortInfo]>) -> String {
    let mut out = String::new();
    for (i, e) in graph.elements.iter().enumerate() {
        let _ = write!(out, "{} :: {}", e.name, e.class);
        if !e.config.text.is_empty() {
            let _ = write!(out, "({})", e.config.text);
        }
        out.push(';');
        if let Some(p) = ports.and_then(|p| p.get(i)) {
            let codes = |v: &[crate::Processing]| v.iter().map(|x| x.code()).collect::<String>();
            let _ = write!(out, "  // {}/{}", codes(&p.inputs), codes(&p.outputs));
        }
        out.push('\n');
    }
    if !graph.connections.is_empty() {
        out.push('\n');
    }
    for c in &graph.connections {
        let _ = writeln!(
            out,
            "{} [{}] -> [{}] {};",
            graph.elements[c.from.element].name,
            c.from.port,
            c.to.port,
            graph.elements[c.to.element].name
        );
    }
    out
}

/// The flattened configuration as Click's router prints itself (its
/// `flatconfig` handler, and `config` under `require(compact_config)`):
/// the requirements in one `require(...)`, every declaration, then the
/// connections gathered into chains: a connection into port 0 continues
/// with a connection out of that element's same port (one into port 0
/// first), and whatever is left, cycles included, starts chains of its
/// own.
pub fn unparse(graph: &Graph) -> String {
    let mut out = String::new();
    if !graph.requirements.is_empty() {
        let _ = write!(out, "require({});\n\n", graph.requirements.join(", "));
    }
    for e in &graph.elements {
        let _ = write!(out, "{} :: {}", e.name, e.class);
        if !e.config.text.is_empty() {
            let _ = write!(out, "({})", e.config.text);
        }
        out.push_str(";\n");
    }
    if !graph.elements.is_empty() {
        out.push('\n');
    }
    let conns = &graph.connections;
    let n = conns.len();
    let mut next = vec![None; n];
    let mut starts = vec![true; n];
    for (c, conn) in conns.iter().enumerate() {
        if conn.to.port != 0 {
            continue;
        }
        let continuing = |d: &usize| *d != c && conns[*d].from == conn.to;
        let found = (0..n)
            .filter(continuing)
            .find(|&d| conns[d].to.port == 0)
            .or_else(|| (0..n).rev().find(continuing));
        if let Some(d) = found {
            next[c] = Some(d);
            starts[d] = false;
        }
    }
    let name = |i: usize| graph.elements[i].name.as_str();
    let mut used = vec![false; n];
    loop {
        for c in 0..n {
            if used[c] || !starts[c] {
                continue;
            }
            let from = conns[c].from;
            out.push_str(name(from.element));
            if from.port != 0 {
                let _ = write!(out, " [{}]", from.port);
            }
            let mut d = Some(c);
            while let Some(i) = d.filter(|&i| !used[i]) {
                out.push_str(if i == c { " -> " } else { "\n    -> " });
                if conns[i].to.port != 0 {
                    let _ = write!(out, "[{}] ", conns[i].to.port);
                }
                out.push_str(name(conns[i].to.element));
                used[i] = true;
                d = next[i];
            }
            out.push_str(";\n");
        }
        // What is left lies on cycles: each starts a chain.
        match (0..n).find(|&c| !used[c]) {
            Some(c) => starts[c] = true,
            None => break,
        }
    }
    out
}

/// Graphviz DOT: one record node per element with its ports as fields, one
/// edge per connection from output port to input port.
pub fn to_dot(graph: &Graph, title: &str, ports: Option<&[PortInfo]>) -> String {
    let mut out = format!(
        "digraph {} {{\n  rankdir=LR;\n  node [shape=record, fontname=\"monospace\"];\n",
        quote(title)
    );
    // Ports to draw per element: the resolved count, or the highest used.
    let mut counts: Vec<(usize, usize)> = (0..graph.elements.len())
        .map(|i| {
            ports
                .and_then(|p| p.get(i))
                .map_or((0, 0), |p| (p.inputs.len(), p.outputs.len()))
        })
        .collect();
    for c in &graph.connections {
        let to = &mut counts[c.to.element].0;
        *to = (*to).max(c.to.port as usize + 1);
        let from = &mut counts[c.from.element].1;
        *from = (*from).max(c.from.port as usize + 1);
    }
    for (i, e) in graph.elements.iter().enumerate() {
        let fields = |n: usize, tag: char| {
            (0..n)
                .map(|p| format!("<{tag}{p}> {p}"))
                .collect::<Vec<_>>()
                .join("|")
        };
        let mut label = format!("{} :: {}", escape_record(&e.name), escape_record(&e.class));
        let (ni, no) = counts[i];
        if ni > 0 {
            label = format!("{{{}}}|{label}", fields(ni, 'i'));
        }
        if no > 0 {
            label = format!("{label}|{{{}}}", fields(no, 'o'));
        }
        let _ = writeln!(out, "  n{i} [label=\"{{{label}}}\"];");
    }
    for c in &graph.connections {
        let _ = writeln!(
            out,
            "  n{}:o{} -> n{}:i{};",
            c.from.element, c.from.port, c.to.element, c.to.port
        );
    }
    out.push_str("}\n");
    out
}

/// JSON for tools: elements (name, class, config, port processing) and
/// connections.
pub fn to_json(graph: &Graph, ports: Option<&[PortInfo]>) -> String {
    let codes =
        |v: &[crate::Processing]| v.iter().map(|x| x.code().to_string()).collect::<Vec<_>>();
    let elements: Vec<_> = graph
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut v = json!({ "name": e.name, "class": e.class, "config": e.config.text });
            if let Some(p) = ports.and_then(|p| p.get(i)) {
                v["inputs"] = json!(codes(&p.inputs));
                v["outputs"] = json!(codes(&p.outputs));
            }
            v
        })
        .collect();
    let connections: Vec<_> = graph
        .connections
        .iter()
        .map(|c| {
            json!({
                "from": graph.elements[c.from.element].name, "from_port": c.from.port,
                "to": graph.elements[c.to.element].name, "to_port": c.to.port,
            })
        })
        .collect();
    let doc = json!({ "elements": elements, "connections": connections, "requirements": graph.requirements });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn escape_record(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "{}|<>\"\\ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
