//! [`ast::File`] → Click text. Parsing the printed text gives back a file
//! that flattens to the same graph (the round-trip property the tests check).

use crate::ast::*;
use std::fmt::Write;

/// Prints a whole file, one statement per line.
pub fn print(file: &File) -> String {
    let mut out = String::new();
    stmts(&mut out, &file.stmts, 0);
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn stmts(out: &mut String, list: &[Stmt], depth: usize) {
    for s in list {
        indent(out, depth);
        match s {
            Stmt::Connection(c) => connection(out, c, depth),
            Stmt::ElementClass(def) => {
                let _ = write!(out, "elementclass {} ", def.name);
                match &def.body {
                    ClassBody::Synonym(other) => out.push_str(&other.name),
                    ClassBody::Compound(c) => compound(out, c, depth),
                }
            }
            Stmt::Require(c) => {
                let _ = write!(out, "require({})", c.text);
            }
            Stmt::Provide(c) => {
                let _ = write!(out, "provide({})", c.text);
            }
            Stmt::Define(c) => {
                let _ = write!(out, "define({})", c.text);
            }
        }
        out.push_str(";\n");
    }
}

fn compound(out: &mut String, c: &CompoundClass, depth: usize) {
    out.push_str("{\n");
    for (i, alt) in c.alternatives.iter().enumerate() {
        if i > 0 {
            indent(out, depth);
            out.push_str("||\n");
        }
        match alt {
            Alternative::Extends(_) => {
                indent(out, depth + 1);
                out.push_str("...\n");
            }
            Alternative::Body(o) => {
                if let Some(formals) = &o.formals {
                    indent(out, depth + 1);
                    let list: Vec<String> = formals
                        .iter()
                        .map(|f| match &f.keyword {
                            Some(k) => format!("{k} ${}", f.var),
                            None => format!("${}", f.var),
                        })
                        .collect();
                    let _ = writeln!(out, "{} |", list.join(", "));
                }
                stmts(out, &o.body, depth + 1);
            }
        }
    }
    indent(out, depth);
    out.push('}');
}

fn connection(out: &mut String, c: &Connection, depth: usize) {
    for (i, list) in c.lists.iter().enumerate() {
        if i > 0 {
            out.push_str(match c.arrows[i - 1].0 {
                ArrowKind::Single => " -> ",
                ArrowKind::Multi => " => ",
            });
        }
        for (j, u) in list.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            element(out, u, depth);
        }
    }
}

fn ports(out: &mut String, p: &Ports) {
    let list: Vec<String> = p.ports.iter().map(u32::to_string).collect();
    let _ = write!(out, "[{}]", list.join(", "));
}

fn element(out: &mut String, u: &ElementUse, depth: usize) {
    if let Some(p) = &u.input {
        ports(out, p);
        out.push(' ');
    }
    match &u.what {
        ElementRef::Decl {
            names,
            class,
            config: cfg,
        } => {
            let list: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
            let _ = write!(out, "{} :: ", list.join(", "));
            match class {
                ClassRef::Named(id) => out.push_str(&id.name),
                ClassRef::Compound(c) => compound(out, c, depth),
            }
            config(out, cfg);
        }
        ElementRef::Name { ident, config: cfg } => {
            out.push_str(&ident.name);
            config(out, cfg);
        }
        ElementRef::Inline { class, config: cfg } => {
            compound(out, class, depth);
            config(out, cfg);
        }
        ElementRef::Group(body) => {
            out.push_str("(\n");
            stmts(out, body, depth + 1);
            indent(out, depth);
            out.push(')');
        }
    }
    if let Some(p) = &u.output {
        out.push(' ');
        ports(out, p);
    }
}

fn config(out: &mut String, c: &Option<Config>) {
    if let Some(c) = c {
        let _ = write!(out, "({})", c.text);
    }
}
