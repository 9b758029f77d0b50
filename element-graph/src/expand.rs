//! [`ast::File`] → [`Graph`]: resolves names to elements or classes, expands
//! `define`s and `$variables`, instantiates compound classes (choosing an
//! overload by argument and port counts, as Click does) and flattens them,
//! naming inner elements `outer/inner` and anonymous ones `Class@N`.

use crate::ast::{self, ArrowKind, ClassBody, ClassRef, ElementRef, Span, Stmt};
use crate::diag::Diagnostic;
use crate::graph::{Connection, Element, Graph, Port, Text, TextBuilder};
use crate::registry::Registry;
use crate::{split_args, suggest};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Compound classes nested deeper than this are reported as runaway recursion.
const MAX_DEPTH: usize = 64;

/// Expands `file` into a flat graph. `defines` (from `-D NAME=VALUE`)
/// override the file's `define`s. With no registry (`--syntax`), every name
/// that is neither a declared element nor a compound class is taken to be a
/// primitive class. Every problem found is pushed to `diags`.
pub fn expand(
    file: &ast::File,
    defines: &[(String, String)],
    registry: Option<&dyn Registry>,
    diags: &mut Vec<Diagnostic>,
) -> Graph {
    let mut b = Builder {
        registry,
        nodes: Vec::new(),
        edges: Vec::new(),
        requirements: Vec::new(),
        diags,
        stack: Vec::new(),
        compound_ports: HashMap::new(),
    };
    let classes = Rc::new(ClassScope::default());
    let env = Rc::new(Env::default());
    let mut scope = Scope::new(
        String::new(),
        classes,
        env,
        None,
        Rc::new(Vec::new()),
        registry,
    );
    scope.collect(&file.stmts, &mut b, defines);
    scope.build(&file.stmts, &mut b);
    b.finish()
}

// ---------------------------------------------------------------------------
// Variables

/// A variable environment: a compound instance's formals and defines, with
/// its lexical parent (the environment its class was defined in).
#[derive(Default)]
struct Env {
    vars: HashMap<String, Text>,
    parent: Option<Rc<Env>>,
}

impl Env {
    fn get(&self, name: &str) -> Option<&Text> {
        self.vars
            .get(name)
            .or_else(|| self.parent.as_ref()?.get(name))
    }
}

/// Click's `cp_expand`: replaces `$name`, `${name}` and `${name-default}`
/// with their values; leaves unknown variables, `$(...)`, `$?`, `$#`, `$$`
/// and everything inside single quotes as written.
fn expand_vars(input: &Text, env: &Env) -> Text {
    let s = input.text.as_bytes();
    if !s.contains(&b'$') {
        return input.clone();
    }
    let whole = input.source_span(0..s.len(), Span::default());
    let mut out = TextBuilder::default();
    let mut lit = 0; // start of the pending literal run
    let mut i = 0;
    let mut quote = None;
    while i < s.len() {
        match (s[i], quote) {
            (b'\\', _) => {
                i += 2;
                continue;
            }
            (b'\'', None) => quote = Some(b'\''),
            (b'"', None) => quote = Some(b'"'),
            (q, Some(open)) if q == open => quote = None,
            (b'$', Some(b'\'')) => {}
            (b'$', _) => {
                if let Some(VarRef {
                    end,
                    name,
                    default,
                    index,
                }) = variable_at(s, i)
                {
                    let value = match index {
                        // `${name[N]}`: the Nth word of the value (N may
                        // itself hold variables).
                        Some((a, b)) => {
                            let n = expand_vars(&input.slice(a..b, whole), env);
                            env.get(name).map(|v| nth_word(v, n.text.trim(), whole))
                        }
                        None => env
                            .get(name)
                            .cloned()
                            .or_else(|| default.map(|(a, b)| input.slice(a..b, whole))),
                    };
                    if let Some(value) = value {
                        out.push(input, lit..i, whole);
                        let here = input.source_span(i..end, whole);
                        out.push_all(&value, here);
                        lit = end;
                    }
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push(input, lit..s.len(), whole);
    out.finish()
}

/// A variable reference in a configuration string.
struct VarRef<'s> {
    /// Where it ends.
    end: usize,
    /// The variable's name.
    name: &'s str,
    /// `${name-default}`: where the default is.
    default: Option<(usize, usize)>,
    /// `${name[N]}`: where N is.
    index: Option<(usize, usize)>,
}

/// The variable reference at `s[i] == '$'`: `$name`, `${name}`,
/// `${name-default}` or `${name[N]}`.
fn variable_at(s: &[u8], i: usize) -> Option<VarRef<'_>> {
    let word = |from: usize| {
        let mut j = from;
        while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == b'_') {
            j += 1;
        }
        j
    };
    let text = |a: usize, b: usize| std::str::from_utf8(&s[a..b]).ok();
    if s.get(i + 1) == Some(&b'{') {
        let end = word(i + 2);
        let name = text(i + 2, end)?;
        if name.is_empty() {
            return None;
        }
        if s.get(end) == Some(&b'[') {
            let close = end + 1 + s[end + 1..].iter().position(|&c| c == b']')?;
            return (s.get(close + 1) == Some(&b'}')).then_some(VarRef {
                end: close + 2,
                name,
                default: None,
                index: Some((end + 1, close)),
            });
        }
        let close = i + 2 + s[i + 2..].iter().position(|&c| c == b'}')?;
        let default = match s[end] {
            b'}' => None,
            b'-' => Some((end + 1, close)),
            _ => return None,
        };
        return Some(VarRef {
            end: close + 1,
            name,
            default,
            index: None,
        });
    }
    let end = word(i + 1);
    (end > i + 1).then(|| {
        Some(VarRef {
            end,
            name: text(i + 1, end)?,
            default: None,
            index: None,
        })
    })?
}

/// Word `n` (from 0) of `value`, words being separated by spaces outside
/// quotes, as Click's `${name[N]}` takes them; empty when there is no such
/// word or `n` is not a number.
fn nth_word(value: &Text, n: &str, fallback: Span) -> Text {
    let Ok(n) = n.parse::<usize>() else {
        return Text::empty();
    };
    let s = value.text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut quote = None;
        while i < s.len() && (quote.is_some() || !s[i].is_ascii_whitespace()) {
            match (s[i], quote) {
                (b'\\', Some(b'"')) => i += 1,
                (q @ (b'"' | b'\''), None) => quote = Some(q),
                (q, Some(open)) if q == open => quote = None,
                _ => {}
            }
            i += 1;
        }
        words.push(start..i.min(s.len()));
    }
    match words.get(n) {
        Some(r) => value.slice(r.clone(), fallback),
        None => Text::empty(),
    }
}

// ---------------------------------------------------------------------------
// Classes

/// A class as the expander resolves it.
#[derive(Clone)]
enum ClassDef<'a> {
    /// A class the registry knows (or, with `--syntax`, any unknown name).
    Primitive(String),
    /// A compound class.
    Compound(Rc<CompoundDef<'a>>),
}

struct CompoundDef<'a> {
    name: String,
    ast: &'a ast::CompoundClass,
    /// The definition this one extends with `...`.
    extends: Option<ClassDef<'a>>,
    /// What the class's name meant before this definition; inside the
    /// body the name still means that (`elementclass Queue { ... Queue ... }`).
    previous: Option<ClassDef<'a>>,
    /// The class scope and environment it was defined in.
    classes: Rc<ClassScope<'a>>,
    env: Rc<Env>,
}

/// The classes visible in one scope.
#[derive(Default)]
struct ClassScope<'a> {
    /// Classes defined so far in this scope, by name.
    defined: RefCell<HashMap<String, ClassDef<'a>>>,
    /// Every `elementclass` of this scope, for uses before the definition.
    later: RefCell<HashMap<String, ClassDef<'a>>>,
    parent: Option<Rc<ClassScope<'a>>>,
}

impl<'a> ClassScope<'a> {
    /// A class defined so far here or in an enclosing scope.
    fn current(&self, name: &str) -> Option<ClassDef<'a>> {
        if let Some(c) = self.defined.borrow().get(name) {
            return Some(c.clone());
        }
        self.parent.as_ref()?.current(name)
    }

    /// A class defined later in this scope or an enclosing one.
    fn forward(&self, name: &str) -> Option<ClassDef<'a>> {
        if let Some(c) = self.later.borrow().get(name) {
            return Some(c.clone());
        }
        self.parent.as_ref()?.forward(name)
    }

    fn names(&self, into: &mut Vec<String>) {
        into.extend(self.defined.borrow().keys().cloned());
        into.extend(self.later.borrow().keys().cloned());
        if let Some(p) = &self.parent {
            p.names(into);
        }
    }
}

/// One overload's shape, read from its body.
struct Signature<'a> {
    positional: Vec<&'a str>,
    keywords: Vec<(&'a str, &'a str)>,
    /// The `__REST__ $v` formal, which takes every argument left over.
    rest: Option<&'a str>,
    inputs: u32,
    outputs: u32,
}

fn signature(o: &ast::Overload) -> Signature<'_> {
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    let mut rest = None;
    for f in o.formals.iter().flatten() {
        match &f.keyword {
            Some(k) if k.name == "__REST__" => rest = Some(f.var.name.as_str()),
            Some(k) => keywords.push((k.name.as_str(), f.var.name.as_str())),
            None => positional.push(f.var.name.as_str()),
        }
    }
    let count = |input| ports_used(o, input).iter().max().map_or(0, |m| m + 1);
    let (inputs, outputs) = (count(true), count(false));
    Signature {
        positional,
        keywords,
        rest,
        inputs,
        outputs,
    }
}

// ---------------------------------------------------------------------------
// Nodes: elements before flattening

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pseudo {
    /// A compound instance, expanded in place.
    Compound,
    /// The `input` of the compound instance `owner`.
    Input(usize),
    /// The `output` of the compound instance `owner`.
    Output(usize),
}

struct Node<'a> {
    name: String,
    class: Option<ClassDef<'a>>,
    pseudo: Option<Pseudo>,
    config: Text,
    span: Span,
    context: Rc<Vec<Span>>,
    unknown_class: bool,
}

#[derive(Clone, Copy)]
struct Edge {
    from: (usize, u32),
    to: (usize, u32),
    span: Span,
}

struct Builder<'a, 'd> {
    registry: Option<&'a dyn Registry>,
    nodes: Vec<Node<'a>>,
    edges: Vec<Edge>,
    requirements: Vec<String>,
    diags: &'d mut Vec<Diagnostic>,
    /// Compound classes being expanded, for recursion errors.
    stack: Vec<(*const ast::CompoundClass, String)>,
    /// The `input` and `output` nodes of each expanded compound instance.
    compound_ports: HashMap<usize, (usize, usize)>,
}

/// One lexical scope: the top level, or one compound instance's body.
struct Scope<'a> {
    prefix: String,
    elements: HashMap<String, usize>,
    count: usize,
    classes: Rc<ClassScope<'a>>,
    env: Rc<Env>,
    /// The compound instance this scope expands, with its `input`/`output`.
    owner: Option<(usize, usize, usize)>,
    context: Rc<Vec<Span>>,
    /// Compound instances created here, to expand once the scope is read.
    compounds: Vec<usize>,
    registry: Option<&'a dyn Registry>,
}

impl<'a> Scope<'a> {
    fn new(
        prefix: String,
        parent: Rc<ClassScope<'a>>,
        env: Rc<Env>,
        owner: Option<(usize, usize, usize)>,
        context: Rc<Vec<Span>>,
        registry: Option<&'a dyn Registry>,
    ) -> Scope<'a> {
        let classes = Rc::new(ClassScope {
            parent: Some(parent),
            ..ClassScope::default()
        });
        Scope {
            prefix,
            elements: HashMap::new(),
            count: 0,
            classes,
            env,
            owner,
            context,
            compounds: Vec::new(),
            registry,
        }
    }

    /// First pass: `define`s and the classes a use may name before their
    /// `elementclass` statement.
    fn collect(
        &mut self,
        stmts: &'a [Stmt],
        b: &mut Builder<'a, '_>,
        overrides: &[(String, String)],
    ) {
        let mut vars = HashMap::new();
        for s in stmts {
            match s {
                Stmt::Define(cfg) => {
                    let text = Text::literal(&cfg.text, cfg.span);
                    for arg in split_args(&cfg.text) {
                        let a = uncommented(&text.slice(arg, cfg.span));
                        let t = a.text.as_str();
                        let name_end = t.find(|c: char| c.is_whitespace()).unwrap_or(t.len());
                        let name = &t[..name_end];
                        if !name.starts_with('$') || name.len() < 2 {
                            b.diags.push(
                                Diagnostic::error(
                                    "define expects `$NAME value`",
                                    a.source_span(0..t.len(), cfg.span),
                                    "not a `$NAME value` pair",
                                )
                                .with_hint("write `define($DEV eth0, $LIMIT 100)`"),
                            );
                            continue;
                        }
                        let value_start =
                            name_end + (t.len() - name_end - t[name_end..].trim_start().len());
                        let parent_env = Env {
                            vars: vars.clone(),
                            parent: Some(self.env.clone()),
                        };
                        let value =
                            expand_vars(&a.slice(value_start..t.len(), cfg.span), &parent_env);
                        if vars.insert(name[1..].to_string(), value).is_some() {
                            b.diags.push(
                                Diagnostic::error(
                                    format!("`{name}` is defined twice"),
                                    a.source_span(0..name_end, cfg.span),
                                    "defined again here",
                                )
                                .with_hint("each variable takes one value; the last one would win"),
                            );
                        }
                    }
                }
                Stmt::ElementClass(def) => {
                    let c = self.class_def(def, b, true);
                    self.classes
                        .later
                        .borrow_mut()
                        .entry(def.name.name.clone())
                        .or_insert(c);
                }
                _ => {}
            }
        }
        for (name, value) in overrides {
            vars.insert(
                name.trim_start_matches('$').to_string(),
                Text::synthetic(value),
            );
        }
        if !vars.is_empty() {
            self.env = Rc::new(Env {
                vars,
                parent: Some(self.env.clone()),
            });
        }
    }

    fn class_def(
        &self,
        def: &'a ast::ElementClassDef,
        b: &mut Builder<'a, '_>,
        quiet: bool,
    ) -> ClassDef<'a> {
        match &def.body {
            ClassBody::Synonym(other) => self.lookup_class(&other.name).unwrap_or_else(|| {
                if !quiet && b.registry.is_some() {
                    b.unknown_class(other, &self.classes);
                }
                ClassDef::Primitive(other.name.clone())
            }),
            ClassBody::Compound(c) => {
                if !quiet {
                    check_compound(c, b);
                }
                // With no registry (`--syntax`) any name may be a primitive.
                let previous = self.known_class(&def.name.name).or_else(|| {
                    self.registry
                        .is_none()
                        .then(|| ClassDef::Primitive(def.name.name.clone()))
                });
                let extends = c
                    .alternatives
                    .iter()
                    .any(|a| matches!(a, ast::Alternative::Extends(_)))
                    .then(|| previous.clone())
                    .flatten();
                if !quiet && previous.is_none() {
                    if let Some(ast::Alternative::Extends(sp)) = c
                        .alternatives
                        .iter()
                        .find(|a| matches!(a, ast::Alternative::Extends(_)))
                    {
                        b.diags.push(
                            Diagnostic::error(
                                format!("cannot extend unknown element class `{}`", def.name.name),
                                *sp,
                                "nothing to extend",
                            )
                            .with_hint("`...` falls back to an earlier definition of the same class; define one first"),
                        );
                    }
                }
                ClassDef::Compound(Rc::new(CompoundDef {
                    name: def.name.name.clone(),
                    ast: c,
                    extends,
                    previous,
                    classes: self.classes.clone(),
                    env: self.env.clone(),
                }))
            }
        }
    }

    /// A class by name: defined so far, else known to the registry, else
    /// defined later in the file.
    fn lookup_class(&self, name: &str) -> Option<ClassDef<'a>> {
        self.known_class(name)
            .or_else(|| self.classes.forward(name))
    }

    /// A class defined so far, or known to the registry.
    fn known_class(&self, name: &str) -> Option<ClassDef<'a>> {
        self.classes.current(name).or_else(|| {
            self.registry?
                .lookup(name)
                .map(|_| ClassDef::Primitive(name.to_string()))
        })
    }

    /// Second pass: elements and connections, then the compounds used here.
    fn build(&mut self, stmts: &'a [Stmt], b: &mut Builder<'a, '_>) {
        for s in stmts {
            match s {
                Stmt::Connection(c) => self.connection(c, b),
                Stmt::ElementClass(def) => {
                    let c = self.class_def(def, b, false);
                    self.classes
                        .defined
                        .borrow_mut()
                        .insert(def.name.name.clone(), c);
                }
                Stmt::Require(cfg) | Stmt::Provide(cfg) => {
                    if matches!(s, Stmt::Require(_)) {
                        b.requirements.push(cfg.text.trim().to_string());
                    }
                }
                Stmt::Define(_) => {}
            }
        }
        for c in std::mem::take(&mut self.compounds) {
            self.expand_compound(c, b);
        }
    }

    fn connection(&mut self, c: &'a ast::Connection, b: &mut Builder<'a, '_>) {
        let mut lists: Vec<Vec<(usize, &'a ast::ElementUse)>> = Vec::new();
        for list in &c.lists {
            let mut nodes = Vec::new();
            for u in list {
                for n in self.element(u, b) {
                    nodes.push((n, u));
                }
            }
            lists.push(nodes);
        }
        let last = c.lists.len() - 1;
        for u in &c.lists[0] {
            if let Some(p) = &u.input {
                b.diags.push(
                    Diagnostic::error(
                        "input port useless at start of chain",
                        p.span,
                        "nothing connects to this port",
                    )
                    .with_hint("write the port after an arrow: `x -> [1] y`")
                    .warning(),
                );
            }
        }
        for u in &c.lists[last] {
            if let Some(p) = &u.output {
                b.diags.push(
                    Diagnostic::error(
                        "output port useless at end of chain",
                        p.span,
                        "this port connects to nothing",
                    )
                    .with_hint("write the port before an arrow: `x [1] -> y`")
                    .warning(),
                );
            }
        }
        for (i, &(kind, arrow)) in c.arrows.iter().enumerate() {
            let left: Vec<(usize, PortSpec)> = lists[i]
                .iter()
                .map(|&(n, u)| (n, b.port_spec(n, u, true)))
                .collect();
            let right: Vec<(usize, PortSpec)> = lists[i + 1]
                .iter()
                .map(|&(n, u)| (n, b.port_spec(n, u, false)))
                .collect();
            let (pairs, problems) = connect_lists(kind, &left, &right);
            for (message, hint) in problems {
                b.diags
                    .push(Diagnostic::error(message, arrow, "in this connection").with_hint(hint));
            }
            for (from, to) in pairs {
                b.edges.push(Edge {
                    from,
                    to,
                    span: arrow,
                });
            }
        }
    }

    /// The node(s) an element use stands for, created if it declares them.
    fn element(&mut self, u: &'a ast::ElementUse, b: &mut Builder<'a, '_>) -> Vec<usize> {
        match &u.what {
            ElementRef::Decl {
                names,
                class,
                config,
            } => {
                let class_def = match class {
                    ClassRef::Named(id) => self.lookup_class(&id.name).or_else(|| {
                        if b.registry.is_none() {
                            Some(ClassDef::Primitive(id.name.clone()))
                        } else {
                            b.unknown_class(id, &self.classes);
                            None
                        }
                    }),
                    ClassRef::Compound(c) => Some(self.inline_class(c)),
                };
                let (class_name, class_span) = match class {
                    ClassRef::Named(id) => (id.name.clone(), id.span),
                    ClassRef::Compound(c) => (String::new(), c.span),
                };
                let mut out = Vec::new();
                for name in names {
                    if let Some(&prev) = self.elements.get(&name.name) {
                        b.diags.push(
                            Diagnostic::error(
                                format!("redeclaration of element '{}'", name.name),
                                name.span,
                                "declared again here",
                            )
                            .with_note(
                                b.nodes[prev].span,
                                format!("element '{}' previously declared here", name.name),
                            ),
                        );
                        out.push(prev);
                        continue;
                    }
                    if self.lookup_class(&name.name).is_some() {
                        b.diags.push(
                            Diagnostic::error(
                                format!("`{}` is an element class", name.name),
                                name.span,
                                "a class name",
                            )
                            .with_hint(
                                "element names must differ from class names; pick another name",
                            ),
                        );
                    } else if name
                        .name
                        .split('/')
                        .any(|part| part.bytes().all(|c| c.is_ascii_digit()))
                    {
                        b.diags.push(Diagnostic::error(
                            format!("element name `{}` has an all-digit component", name.name),
                            name.span,
                            "all digits",
                        ));
                    } else if self.owner.is_some()
                        && (name.name == "input" || name.name == "output")
                    {
                        b.diags.push(Diagnostic::error(
                            format!("`{}` is reserved inside compound classes", name.name),
                            name.span,
                            "reserved name",
                        ));
                    }
                    let n = self.add_node(
                        b,
                        &name.name,
                        class_def.clone(),
                        &class_name,
                        config.as_ref(),
                        class_span,
                    );
                    out.push(n);
                }
                out
            }
            ElementRef::Name { ident, config } => {
                if let Some((_, input, output)) = self.owner {
                    if ident.name == "input" || ident.name == "output" {
                        if let Some(cfg) = config {
                            b.diags.push(Diagnostic::error(
                                format!("`{}` takes no configuration", ident.name),
                                cfg.span,
                                "unexpected config string",
                            ));
                        }
                        return vec![if ident.name == "input" { input } else { output }];
                    }
                }
                if let Some(c) = self.known_class(&ident.name) {
                    return vec![self.add_anonymous(
                        b,
                        &ident.name,
                        c,
                        config.as_ref(),
                        ident.span,
                    )];
                }
                if let Some(&n) = self.elements.get(&ident.name) {
                    if let Some(cfg) = config {
                        b.diags.push(
                            Diagnostic::error(
                                format!("`{}` is an element, not a class", ident.name),
                                cfg.span,
                                "config string for an existing element",
                            )
                            .with_note(b.nodes[n].span, "declared here"),
                        );
                    }
                    return vec![n];
                }
                if let Some(c) = self.classes.forward(&ident.name) {
                    return vec![self.add_anonymous(
                        b,
                        &ident.name,
                        c,
                        config.as_ref(),
                        ident.span,
                    )];
                }
                if b.registry.is_some() {
                    self.undeclared(ident, config.is_some(), b);
                    let n = self.add_anonymous(
                        b,
                        &ident.name,
                        ClassDef::Primitive(ident.name.clone()),
                        config.as_ref(),
                        ident.span,
                    );
                    b.nodes[n].unknown_class = true;
                    return vec![n];
                }
                vec![self.add_anonymous(
                    b,
                    &ident.name,
                    ClassDef::Primitive(ident.name.clone()),
                    config.as_ref(),
                    ident.span,
                )]
            }
            ElementRef::Inline { class, config } => {
                let c = self.inline_class(class);
                vec![self.add_anonymous(b, "", c, config.as_ref(), class.span)]
            }
            ElementRef::Group(stmts) => {
                // A tunnel node whose `input`/`output` the group's statements
                // use; its elements join this scope.
                let mut n = self.count + 1;
                while self.elements.contains_key(&format!("@{n}")) {
                    n += 1;
                }
                let g = b.pseudo(format!("{}@{n}", self.prefix), Pseudo::Compound, u.span);
                let input = b.pseudo(
                    format!("{}@{n}/input", self.prefix),
                    Pseudo::Input(g),
                    u.span,
                );
                let output = b.pseudo(
                    format!("{}@{n}/output", self.prefix),
                    Pseudo::Output(g),
                    u.span,
                );
                b.compound_ports.insert(g, (input, output));
                self.count += 1;
                let saved = self.owner.replace((g, input, output));
                for s in stmts {
                    match s {
                        Stmt::Connection(c) => self.connection(c, b),
                        _ => b.diags.push(
                            Diagnostic::error(
                                "only connections may appear inside a group",
                                u.span,
                                "in this group",
                            )
                            .with_hint("move declarations of classes and defines out of the group"),
                        ),
                    }
                }
                self.owner = saved;
                vec![g]
            }
        }
    }

    fn inline_class(&self, c: &'a ast::CompoundClass) -> ClassDef<'a> {
        ClassDef::Compound(Rc::new(CompoundDef {
            name: String::new(),
            ast: c,
            extends: None,
            previous: None,
            classes: self.classes.clone(),
            env: self.env.clone(),
        }))
    }

    fn undeclared(&self, ident: &ast::Ident, has_config: bool, b: &mut Builder<'a, '_>) {
        let mut classes: Vec<String> = b
            .registry
            .map(|r| r.class_names().into_iter().map(String::from).collect())
            .unwrap_or_default();
        self.classes.names(&mut classes);
        let looks_like_class =
            has_config || ident.name.starts_with(|c: char| c.is_ascii_uppercase());
        let d = if looks_like_class {
            Diagnostic::error(
                format!("unknown element class `{}`", ident.name),
                ident.span,
                "not a known class",
            )
        } else {
            Diagnostic::error(
                format!("undeclared element `{}`", ident.name),
                ident.span,
                "neither a declared element nor a class",
            )
        };
        let mut candidates: Vec<&str> = classes.iter().map(String::as_str).collect();
        candidates.extend(
            self.elements
                .keys()
                .map(String::as_str)
                .filter(|n| !n.contains('@')),
        );
        let d = match suggest(&ident.name, candidates.iter().copied()) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None if looks_like_class => d.with_hint("`nfc elements` lists the classes nfc knows"),
            None => d.with_hint(format!("declare it first: `{} :: Class(...)`", ident.name)),
        };
        b.diags.push(d);
    }

    fn add_anonymous(
        &mut self,
        b: &mut Builder<'a, '_>,
        class_name: &str,
        class: ClassDef<'a>,
        config: Option<&ast::Config>,
        span: Span,
    ) -> usize {
        let mut n = self.count + 1;
        let mut name = format!("{class_name}@{n}");
        while self.elements.contains_key(&name) {
            n += 1;
            name = format!("{class_name}@{n}");
        }
        self.add_node(b, &name, Some(class), class_name, config, span)
    }

    fn add_node(
        &mut self,
        b: &mut Builder<'a, '_>,
        local: &str,
        class: Option<ClassDef<'a>>,
        class_name: &str,
        config: Option<&ast::Config>,
        span: Span,
    ) -> usize {
        let config = match config {
            Some(c) => expand_vars(&Text::literal(&c.text, c.span), &self.env),
            None => Text::empty(),
        };
        let unknown_class = class.is_none();
        let class = class.unwrap_or_else(|| ClassDef::Primitive(class_name.to_string()));
        let pseudo = matches!(class, ClassDef::Compound(_)).then_some(Pseudo::Compound);
        let id = b.nodes.len();
        b.nodes.push(Node {
            name: format!("{}{local}", self.prefix),
            class: Some(class),
            pseudo,
            config,
            span,
            context: self.context.clone(),
            unknown_class,
        });
        self.elements.insert(local.to_string(), id);
        self.count += 1;
        if pseudo.is_some() {
            self.compounds.push(id);
        }
        id
    }

    /// Instantiates compound node `c`: picks the overload, binds formals,
    /// and builds its body in a scope of its own.
    fn expand_compound(&mut self, c: usize, b: &mut Builder<'a, '_>) {
        let Some(ClassDef::Compound(def)) = b.nodes[c].class.clone() else {
            return;
        };
        let (inputs, outputs) = b.edges.iter().fold((0, 0), |(i, o), e| {
            (
                if e.to.0 == c { i.max(e.to.1 + 1) } else { i },
                if e.from.0 == c {
                    o.max(e.from.1 + 1)
                } else {
                    o
                },
            )
        });
        let config = b.nodes[c].config.clone();
        let args: Vec<Text> = split_args(&config.text)
            .into_iter()
            .map(|r| uncommented(&config.slice(r, b.nodes[c].span)))
            .collect();
        let Some((chosen, def)) = choose_overload(&def, &args, inputs, outputs) else {
            let shown = if def.name.is_empty() {
                "compound element".to_string()
            } else {
                format!("`{}`", def.name)
            };
            b.diags.push(
                Diagnostic::error(
                    format!(
                        "no overload of {shown} takes {} argument{}",
                        args.len(),
                        if args.len() == 1 { "" } else { "s" }
                    ),
                    b.nodes[c].span,
                    "used here",
                )
                .with_note(def.ast.span, "defined here")
                .with_hint(overloads_hint(&def)),
            );
            b.nodes[c].pseudo = None;
            b.nodes[c].unknown_class = true;
            return;
        };
        let overload = match chosen {
            Chosen::Primitive(name) => {
                b.nodes[c].class = Some(ClassDef::Primitive(name));
                b.nodes[c].pseudo = None;
                return;
            }
            Chosen::Body(o) => o,
        };
        let key = def.ast as *const ast::CompoundClass;
        if b.stack.iter().any(|(k, _)| *k == key) || b.stack.len() >= MAX_DEPTH {
            let mut chain: Vec<String> = b.stack.iter().map(|(_, n)| format!("`{n}`")).collect();
            chain.push(format!("`{}`", def.name));
            b.diags.push(
                Diagnostic::error(
                    format!("compound class `{}` contains itself", def.name),
                    b.nodes[c].span,
                    "recursive use",
                )
                .with_note(def.ast.span, "defined here")
                .with_hint(format!("the classes expand forever: {}", chain.join(" → "))),
            );
            b.nodes[c].pseudo = None;
            b.nodes[c].unknown_class = true;
            return;
        }
        // Bind formals to arguments.
        let sig = signature(overload);
        let mut vars = HashMap::new();
        let mut positional = args.iter().filter(|a| keyword_of(&a.text, &sig).is_none());
        for name in &sig.positional {
            vars.insert(
                name.to_string(),
                positional.next().cloned().unwrap_or_else(Text::empty),
            );
        }
        if let Some(rest) = sig.rest {
            let mut joined = TextBuilder::default();
            for (i, a) in positional.enumerate() {
                if i > 0 {
                    joined.push_all(&Text::synthetic(", "), b.nodes[c].span);
                }
                joined.push_all(a, b.nodes[c].span);
            }
            vars.insert(rest.to_string(), joined.finish());
        }
        for (kw, var) in &sig.keywords {
            let value = args
                .iter()
                .find(|a| keyword_of(&a.text, &sig) == Some(*kw))
                .map(|a| {
                    let rest = a.text[kw.len()..].len() - a.text[kw.len()..].trim_start().len();
                    a.slice(kw.len() + rest..a.text.len(), b.nodes[c].span)
                })
                .unwrap_or_else(Text::empty);
            vars.insert(var.to_string(), value);
        }
        let env = Rc::new(Env {
            vars,
            parent: Some(def.env.clone()),
        });
        let name = b.nodes[c].name.clone();
        let input = b.pseudo(format!("{name}/input"), Pseudo::Input(c), b.nodes[c].span);
        let output = b.pseudo(format!("{name}/output"), Pseudo::Output(c), b.nodes[c].span);
        let mut context = (*b.nodes[c].context).clone();
        context.push(b.nodes[c].span);
        b.compound_ports.insert(c, (input, output));
        let mut scope = Scope::new(
            format!("{name}/"),
            def.classes.clone(),
            env,
            Some((c, input, output)),
            Rc::new(context),
            self.registry,
        );
        if let Some(prev) = &def.previous {
            scope
                .classes
                .defined
                .borrow_mut()
                .insert(def.name.clone(), prev.clone());
        }
        b.stack.push((key, def.name.clone()));
        scope.collect(&overload.body, b, &[]);
        scope.build(&overload.body, b);
        b.stack.pop();
    }
}

/// Checks a compound class's shape: `...` last, formals in order
/// (positional, keywords, `__REST__`), each input and output port used.
fn check_compound(c: &ast::CompoundClass, b: &mut Builder<'_, '_>) {
    let n = c.alternatives.len();
    for (i, alt) in c.alternatives.iter().enumerate() {
        match alt {
            ast::Alternative::Extends(sp) if i + 1 < n => b.diags.push(
                Diagnostic::error(
                    "`...` must be the last alternative",
                    *sp,
                    "more alternatives follow",
                )
                .with_hint("write `... ` after every `||` body: `{ $a | ... || ... }`"),
            ),
            ast::Alternative::Extends(_) => {}
            ast::Alternative::Body(o) => {
                let mut seen_keyword = false;
                let mut seen_rest = false;
                let mut names = HashSet::new();
                for f in o.formals.iter().flatten() {
                    let rank_ok = match &f.keyword {
                        None => !seen_keyword && !seen_rest,
                        Some(k) if k.name == "__REST__" => !seen_rest,
                        Some(_) => !seen_rest,
                    };
                    match &f.keyword {
                        Some(k) if k.name == "__REST__" => seen_rest = true,
                        Some(_) => seen_keyword = true,
                        None => {}
                    }
                    if !rank_ok {
                        b.diags.push(
                            Diagnostic::error("compound parameters out of order", f.var.span, "out of place")
                                .with_hint("list positional parameters first, then `KEYWORD $v` ones, then `__REST__ $v`"),
                        );
                    }
                    if !names.insert(f.var.name.as_str()) {
                        b.diags.push(Diagnostic::error(
                            format!("parameter `${}` declared twice", f.var.name),
                            f.var.span,
                            "declared again",
                        ));
                    }
                }
                for (side, used) in [
                    ("input", ports_used(o, true)),
                    ("output", ports_used(o, false)),
                ] {
                    let max = used.iter().max().copied();
                    for p in (0..max.unwrap_or(0)).filter(|p| !used.contains(p)) {
                        b.diags.push(
                            Diagnostic::error(format!("compound class does not use {side} {p}"), o.span, "in this body")
                                .with_hint(format!("a compound's {side}s are numbered from 0 without gaps; connect `{side} [{p}]`")),
                        );
                    }
                }
            }
        }
    }
}

/// The `input` (or `output`) ports one overload's body uses.
fn ports_used(o: &ast::Overload, input: bool) -> HashSet<u32> {
    let mut used = HashSet::new();
    for s in &o.body {
        let Stmt::Connection(c) = s else { continue };
        for (i, list) in c.lists.iter().enumerate() {
            for u in list {
                let ElementRef::Name { ident, .. } = &u.what else {
                    continue;
                };
                let (name, ports, ok) = if input {
                    ("input", &u.output, i + 1 < c.lists.len())
                } else {
                    ("output", &u.input, i > 0)
                };
                if ident.name == name && ok {
                    used.extend(ports_of(ports.as_ref()));
                }
            }
        }
    }
    used
}

/// The ports one side of an element use offers a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
enum PortSpec {
    /// None written: port 0, or, alone against several ports across `=>`,
    /// as many ports as the other side has.
    Unwritten,
    /// `[0, 2]`, or the ports a group implies.
    Listed(Vec<u32>),
    /// `[]`: these ports (`[0]`), then as many more as the other side needs.
    Expandable(Vec<u32>),
}

impl PortSpec {
    /// How many ports it stands for at least.
    fn min_ports(&self) -> usize {
        match self {
            PortSpec::Unwritten => 1,
            PortSpec::Listed(v) | PortSpec::Expandable(v) => v.len().max(1),
        }
    }

    /// The port it stands for when its side does not step: the first.
    fn first(&self) -> u32 {
        match self {
            PortSpec::Unwritten => 0,
            PortSpec::Listed(v) | PortSpec::Expandable(v) => v.first().copied().unwrap_or(0),
        }
    }
}

/// A connection's problems: message and hint.
type Problems = Vec<(String, &'static str)>;

/// An element (node index) and one of its ports.
type PortRef = (usize, u32);

/// The connections `left arrow right` makes, outputs of `left` to inputs of
/// `right`, as Click 2.1's lexer pairs them (`yconnection_connect_all` in
/// lib/lexer.cc). Each side stands for the ports its elements list, one
/// for an element with none. A side of one port repeats against every port
/// of the other (fan-out, fan-in); two sides of several ports pair one to
/// one, which takes `=>`. A `[]` side grows to match the other, and across
/// `=>` so does a lone element with no ports: `x => a, b` is `x [0, 1] =>
/// a, b`.
fn connect_lists(
    kind: ArrowKind,
    left: &[(usize, PortSpec)],
    right: &[(usize, PortSpec)],
) -> (Vec<(PortRef, PortRef)>, Problems) {
    const L: usize = 0;
    const R: usize = 1;
    let mut problems: Problems = Vec::new();
    if left.is_empty() || right.is_empty() {
        return (Vec::new(), problems);
    }
    let sides = [left, right];
    let min = sides.map(|s| s.iter().map(|(_, p)| p.min_ports()).sum::<usize>());
    let n_expandable = sides.map(|s| {
        s.iter()
            .filter(|(_, p)| matches!(p, PortSpec::Expandable(_)))
            .count()
    });
    let mut expandable = n_expandable.map(|n| n > 0);
    if n_expandable[L] + n_expandable[R] > 1 {
        problems.push((
            "at most one expandable port allowed per connection".into(),
            "write `[]` on one side only; list the other side's ports",
        ));
        // The side with more ports keeps its count.
        expandable[if min[R] < min[L] { L } else { R }] = false;
    }
    if kind == ArrowKind::Multi {
        for k in [L, R] {
            if min[k] == 1 && min[1 - k] > 1 && sides[k][0].1 == PortSpec::Unwritten {
                expandable[k] = true;
            }
        }
    }
    let mut step = [L, R].map(|k| min[k] > 1 || expandable[k]);
    let extra = [L, R].map(|k| {
        if expandable[k] {
            min[1 - k].saturating_sub(min[k])
        } else {
            0
        }
    });
    if step[L] && step[R] {
        if kind == ArrowKind::Single {
            problems.push((
                "syntax error: many-to-many connections require '=>'".into(),
                "`->` joins one port to many; `=>` pairs ports one to one",
            ));
        }
        let hint = "`=>` pairs ports one to one; list as many ports on each side";
        if !expandable[L] && !expandable[R] && min[L] != min[R] {
            problems.push((
                format!(
                    "connection mismatch: {} outputs connected to {} inputs",
                    min[L], min[R]
                ),
                hint,
            ));
        } else if !expandable[R] && min[R] < min[L] {
            problems.push((
                format!(
                    "connection mismatch: {} or more outputs connected to {} inputs",
                    min[L], min[R]
                ),
                hint,
            ));
        } else if !expandable[L] && min[L] < min[R] {
            problems.push((
                format!(
                    "connection mismatch: {} outputs connected to {} or more inputs",
                    min[L], min[R]
                ),
                hint,
            ));
        }
    } else if !step[L] && !step[R] {
        step[R] = true;
    }
    // The ports a stepping side goes through, in order.
    let sequence = |k: usize| {
        let mut extra = extra[k];
        let mut seq = Vec::new();
        for (n, p) in sides[k] {
            let mut grow = |seq: &mut Vec<PortRef>, from: u32| {
                for q in (from..).take(extra) {
                    seq.push((*n, q));
                }
                extra = 0;
            };
            match p {
                PortSpec::Unwritten => {
                    seq.push((*n, 0));
                    if min[k] == 1 {
                        grow(&mut seq, 1);
                    }
                }
                PortSpec::Listed(v) => seq.extend(v.iter().map(|&q| (*n, q))),
                PortSpec::Expandable(v) => {
                    seq.extend(v.iter().map(|&q| (*n, q)));
                    grow(&mut seq, v.last().map_or(0, |&q| q.saturating_add(1)));
                }
            }
        }
        seq
    };
    let fixed = |k: usize| (sides[k][0].0, sides[k][0].1.first());
    let pairs = match (step[L], step[R]) {
        (true, true) => sequence(L).into_iter().zip(sequence(R)).collect(),
        (true, false) => sequence(L).into_iter().map(|f| (f, fixed(R))).collect(),
        _ => sequence(R).into_iter().map(|t| (fixed(L), t)).collect(),
    };
    (pairs, problems)
}

fn ports_of(p: Option<&ast::Ports>) -> Vec<u32> {
    match p {
        Some(p) if !p.ports.is_empty() => p.ports.clone(),
        _ => vec![0],
    }
}

/// `t` without its comments (outside quotes), trimmed: one argument as
/// Click's argument splitter hands it on.
fn uncommented(t: &Text) -> Text {
    let s = t.text.as_bytes();
    let mut out = TextBuilder::default();
    let (mut keep, mut i) = (0, 0);
    while i < s.len() {
        match s[i] {
            b'\\' => i += 1,
            b'"' | b'\'' => {
                let q = s[i];
                i += 1;
                while i < s.len() && s[i] != q {
                    i += if s[i] == b'\\' && q == b'"' { 2 } else { 1 };
                }
            }
            b'/' if matches!(s.get(i + 1), Some(b'/' | b'*')) => {
                let end = if s[i + 1] == b'/' {
                    s[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(s.len(), |p| i + p)
                } else {
                    t.text[i + 2..]
                        .find("*/")
                        .map_or(s.len(), |p| i + 2 + p + 2)
                };
                out.push(t, keep..i, Span::default());
                out.push_all(&Text::synthetic(" "), Span::default());
                keep = end;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if keep == 0 {
        return trimmed(t);
    }
    out.push(t, keep..s.len(), Span::default());
    trimmed(&out.finish())
}

fn trimmed(t: &Text) -> Text {
    let start = t.text.len() - t.text.trim_start().len();
    let end = t.text.trim_end().len();
    t.slice(start..end.max(start), Span::default())
}

/// The keyword formal an argument `KEYWORD value` names, if any.
fn keyword_of<'s>(arg: &str, sig: &Signature<'s>) -> Option<&'s str> {
    let word = arg.split_whitespace().next()?;
    sig.keywords.iter().map(|(k, _)| *k).find(|k| *k == word)
}

enum Chosen<'a> {
    Primitive(String),
    Body(&'a ast::Overload),
}

/// Click's overload choice: the first alternative whose formals take the
/// arguments and whose ports match the uses; failing that, the first whose
/// formals take the arguments; `...` falls back to the extended class.
fn choose_overload<'a>(
    def: &Rc<CompoundDef<'a>>,
    args: &[Text],
    inputs: u32,
    outputs: u32,
) -> Option<(Chosen<'a>, Rc<CompoundDef<'a>>)> {
    let mut chain = vec![def.clone()];
    let mut fallback_primitive = None;
    while let Some(ClassDef::Compound(parent)) = chain.last().and_then(|d| d.extends.clone()) {
        chain.push(parent);
    }
    if let Some(ClassDef::Primitive(p)) = chain.last().and_then(|d| d.extends.clone()) {
        fallback_primitive = Some(p);
    }
    let fits = |o: &ast::Overload, ports: bool| {
        let sig = signature(o);
        let npos = args
            .iter()
            .filter(|a| keyword_of(&a.text, &sig).is_none())
            .count();
        let count_ok = if o.formals.is_none() {
            args.is_empty()
        } else {
            npos == sig.positional.len() || sig.rest.is_some() && npos >= sig.positional.len()
        };
        count_ok && (!ports || (sig.inputs == inputs && sig.outputs == outputs))
    };
    for ports in [true, false] {
        for d in &chain {
            for alt in &d.ast.alternatives {
                if let ast::Alternative::Body(o) = alt {
                    if fits(o, ports) {
                        return Some((Chosen::Body(o), d.clone()));
                    }
                }
            }
        }
    }
    fallback_primitive.map(|p| (Chosen::Primitive(p), def.clone()))
}

fn overloads_hint(def: &CompoundDef) -> String {
    let sigs: Vec<String> = def
        .ast
        .alternatives
        .iter()
        .filter_map(|a| match a {
            ast::Alternative::Body(o) => {
                let s = signature(o);
                let mut parts: Vec<String> = s.positional.iter().map(|p| format!("${p}")).collect();
                parts.extend(s.keywords.iter().map(|(k, v)| format!("{k} ${v}")));
                parts.extend(s.rest.map(|r| format!("__REST__ ${r}")));
                Some(format!("({})", parts.join(", ")))
            }
            ast::Alternative::Extends(_) => None,
        })
        .collect();
    format!("the class takes {}", sigs.join(" or "))
}

impl<'a> Builder<'a, '_> {
    fn unknown_class(&mut self, id: &ast::Ident, classes: &ClassScope) {
        let mut names: Vec<String> = self
            .registry
            .map(|r| r.class_names().into_iter().map(String::from).collect())
            .unwrap_or_default();
        classes.names(&mut names);
        let d = Diagnostic::error(
            format!("unknown element class `{}`", id.name),
            id.span,
            "not a known class",
        );
        let d = match suggest(&id.name, names.iter().map(String::as_str)) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint("`nfc elements` lists the classes nfc knows"),
        };
        self.diags.push(d);
    }

    /// What element use `u`, node `n`, offers on its output side
    /// (`output`) or input side. A group with no ports written offers all
    /// of its own, as Click's groups imply `[0, …, N-1]`.
    fn port_spec(&self, n: usize, u: &ast::ElementUse, output: bool) -> PortSpec {
        let written = if output { &u.output } else { &u.input };
        match written {
            Some(p) if p.ports.is_empty() => PortSpec::Expandable(vec![0]),
            Some(p) => PortSpec::Listed(p.ports.clone()),
            None => {
                let implied = match (&u.what, self.compound_ports.get(&n)) {
                    (ElementRef::Group(_), Some(&(input, out))) => self
                        .edges
                        .iter()
                        .filter_map(|e| {
                            if output {
                                (e.to.0 == out).then_some(e.to.1 + 1)
                            } else {
                                (e.from.0 == input).then_some(e.from.1 + 1)
                            }
                        })
                        .max()
                        .unwrap_or(0),
                    _ => 0,
                };
                if implied == 0 {
                    PortSpec::Unwritten
                } else {
                    PortSpec::Listed((0..implied).collect())
                }
            }
        }
    }

    fn pseudo(&mut self, name: String, kind: Pseudo, span: Span) -> usize {
        self.nodes.push(Node {
            name,
            class: None,
            pseudo: Some(kind),
            config: Text::empty(),
            span,
            context: Rc::new(Vec::new()),
            unknown_class: false,
        });
        self.nodes.len() - 1
    }

    /// Replaces connections through compound instances by connections
    /// between the real elements on either side, and reports compound ports
    /// used on one side only.
    fn finish(mut self) -> Graph {
        let mut index = vec![usize::MAX; self.nodes.len()];
        let mut elements = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.pseudo.is_none() {
                index[i] = elements.len();
                let class = match &n.class {
                    Some(ClassDef::Primitive(p)) => p.clone(),
                    _ => String::new(),
                };
                elements.push(Element {
                    name: n.name.clone(),
                    class,
                    config: n.config.clone(),
                    span: n.span,
                    context: (*n.context).clone(),
                    unknown_class: n.unknown_class,
                });
            }
        }
        // Connections leaving each (node, port), for walking through tunnels.
        let mut out_of: HashMap<(usize, u32), Vec<usize>> = HashMap::new();
        let mut into: HashMap<(usize, u32), Vec<usize>> = HashMap::new();
        for (k, e) in self.edges.iter().enumerate() {
            out_of.entry(e.from).or_default().push(k);
            into.entry(e.to).or_default().push(k);
        }
        let mut connections = Vec::new();
        let mut reported = HashSet::new();
        let mut written = HashSet::new();
        let mut seen_real = HashSet::new();
        for k in 0..self.edges.len() {
            let e = self.edges[k];
            // Click ignores a connection written twice.
            if self.nodes[e.from.0].pseudo.is_some() || !written.insert((e.from, e.to)) {
                continue;
            }
            let mut targets = Vec::new();
            let mut seen = HashSet::new();
            self.targets(
                e.to,
                e.span,
                &out_of,
                &mut targets,
                &mut seen,
                &mut reported,
            );
            for t in targets {
                if !seen_real.insert((e.from, t)) {
                    continue;
                }
                connections.push(Connection {
                    from: Port {
                        element: index[e.from.0],
                        port: e.from.1,
                    },
                    to: Port {
                        element: index[t.0],
                        port: t.1,
                    },
                    span: e.span,
                });
            }
        }
        // Compound outputs that lead nowhere from inside.
        for k in 0..self.edges.len() {
            let e = self.edges[k];
            if let Some(Pseudo::Compound) = self.nodes[e.from.0].pseudo {
                let output = self.pseudo_of(e.from.0, false);
                if output.is_some_and(|o| !into.contains_key(&(o, e.from.1)))
                    && reported.insert((e.from.0, e.from.1, false))
                {
                    let n = &self.nodes[e.from.0];
                    self.diags.push(Diagnostic::error(
                        format!("`{}` has no output {}", n.name, e.from.1),
                        e.span,
                        format!(
                            "output {} of a compound element whose class never uses it",
                            e.from.1
                        ),
                    ));
                }
            }
        }
        Graph {
            elements,
            connections,
            requirements: self.requirements,
        }
    }

    fn pseudo_of(&self, compound: usize, input: bool) -> Option<usize> {
        let &(i, o) = self.compound_ports.get(&compound)?;
        Some(if input { i } else { o })
    }

    /// The real input ports reached from input `to`, following tunnels.
    #[allow(clippy::too_many_arguments)]
    fn targets(
        &mut self,
        to: (usize, u32),
        span: Span,
        out_of: &HashMap<(usize, u32), Vec<usize>>,
        acc: &mut Vec<(usize, u32)>,
        seen: &mut HashSet<(usize, u32)>,
        reported: &mut HashSet<(usize, u32, bool)>,
    ) {
        if !seen.insert(to) {
            return;
        }
        let next: Option<(usize, bool)> = match self.nodes[to.0].pseudo {
            None => {
                acc.push(to);
                return;
            }
            // Into a compound: continue from its `input` inside.
            Some(Pseudo::Compound) => self.pseudo_of(to.0, true).map(|i| (i, true)),
            // Into the `output` of a compound from inside: continue outside.
            Some(Pseudo::Output(owner)) => Some((owner, false)),
            Some(Pseudo::Input(_)) => {
                if reported.insert((to.0, to.1, true)) {
                    let name = self.nodes[to.0].name.clone();
                    self.diags.push(Diagnostic::error(
                        format!("`{name}` used as output"),
                        span,
                        "`input` is the source of a compound's packets",
                    ));
                }
                return;
            }
        };
        let Some((from_node, entering)) = next else {
            // A compound that failed to expand: already reported.
            return;
        };
        match out_of.get(&(from_node, to.1)) {
            Some(edges) => {
                for &k in edges.clone().iter() {
                    let e = self.edges[k];
                    self.targets(e.to, span, out_of, acc, seen, reported);
                }
            }
            None => {
                let (compound, what) = if entering {
                    (to.0, "input")
                } else {
                    (from_node, "output")
                };
                if reported.insert((compound, to.1, entering)) {
                    let name = self.nodes[compound].name.clone();
                    let message = if entering {
                        format!("`{name}` has no {what} {}", to.1)
                    } else {
                        format!("`{name}` {what} {} unused", to.1)
                    };
                    self.diags
                        .push(Diagnostic::error(message, span, "connected here"));
                }
            }
        }
    }
}
