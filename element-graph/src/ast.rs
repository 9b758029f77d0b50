//! The syntax tree of one Click configuration file, with byte spans.
//!
//! The tree keeps what the user wrote: names are not yet resolved to elements
//! or classes, `$variables` are not yet expanded, and compound classes are not
//! yet flattened. [`crate::expand`] does all three.

use std::fmt;

/// A byte range in the source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// An identifier with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The identifier's text.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The raw text between a class's parentheses, exactly as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The text, not yet split or expanded.
    pub text: String,
    /// The span of `text` (inside the parentheses).
    pub span: Span,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// A chain of element lists joined by arrows; a lone declaration is a chain of one.
    Connection(Connection),
    /// `elementclass NAME { ... }` or `elementclass NAME OTHER`.
    ElementClass(ElementClassDef),
    /// `require(...)`.
    Require(Config),
    /// `provide(...)`.
    Provide(Config),
    /// `define($NAME value, ...)`.
    Define(Config),
}

/// `->` or `=>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrowKind {
    /// `->`: every element on the left to every element on the right.
    Single,
    /// `=>`: ports paired element-wise.
    Multi,
}

/// A chain `list arrow list arrow list ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The element lists; `arrows[i]` joins `lists[i]` and `lists[i + 1]`.
    pub lists: Vec<Vec<ElementUse>>,
    /// The arrows, with where each was written.
    pub arrows: Vec<(ArrowKind, Span)>,
    /// The whole statement.
    pub span: Span,
}

/// A port list `[0]`, `[0, 2]`, `[0-3]`, or the expandable `[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ports {
    /// Port numbers in order; empty for `[]`.
    pub ports: Vec<u32>,
    /// Where the brackets were written.
    pub span: Span,
}

/// One element in an element list, with optional input and output ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementUse {
    /// Ports written before the element (its inputs).
    pub input: Option<Ports>,
    /// The element itself.
    pub what: ElementRef,
    /// Ports written after the element (its outputs).
    pub output: Option<Ports>,
    /// The element part, without ports.
    pub span: Span,
}

/// What an element use names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElementRef {
    /// `a, b :: Class(config)`.
    Decl {
        /// The declared names.
        names: Vec<Ident>,
        /// The class.
        class: ClassRef,
        /// The configuration, if parentheses were written.
        config: Option<Config>,
    },
    /// `name` or `Class(config)`: an element reference or an anonymous element.
    Name {
        /// The identifier.
        ident: Ident,
        /// The configuration, if parentheses were written.
        config: Option<Config>,
    },
    /// `{ ... }(config)`: an anonymous element of an inline compound class.
    Inline {
        /// The anonymous class.
        class: CompoundClass,
        /// The configuration, if parentheses were written.
        config: Option<Config>,
    },
    /// `( stmts )`: a group. Its `input` and `output` are its ports; unlike a
    /// compound it opens no scope, so names declared inside stay visible.
    Group(Vec<Stmt>),
}

/// A class named in a declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassRef {
    /// A class by name.
    Named(Ident),
    /// An inline compound class.
    Compound(CompoundClass),
}

/// `elementclass NAME ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementClassDef {
    /// The class's name.
    pub name: Ident,
    /// Its definition.
    pub body: ClassBody,
}

/// The two forms of `elementclass`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassBody {
    /// `elementclass NAME OTHER`: a synonym.
    Synonym(Ident),
    /// `elementclass NAME { ... }`.
    Compound(CompoundClass),
}

/// A compound class: overloads separated by `||`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompoundClass {
    /// The alternatives in the order written.
    pub alternatives: Vec<Alternative>,
    /// The braces and everything between them.
    pub span: Span,
}

/// One alternative of a compound class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alternative {
    /// `...`: fall back to the class's earlier definition.
    Extends(Span),
    /// `formals | body`.
    Body(Overload),
}

/// One overload of a compound class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overload {
    /// The formal parameters; `None` when no `|` was written.
    pub formals: Option<Vec<Formal>>,
    /// The body.
    pub body: Vec<Stmt>,
    /// Where the overload was written.
    pub span: Span,
}

/// A formal parameter: `$v` (positional) or `KEYWORD $v`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Formal {
    /// The keyword, for keyword parameters.
    pub keyword: Option<Ident>,
    /// The variable's name without `$`.
    pub var: Ident,
}

/// A parsed configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// The top-level statements.
    pub stmts: Vec<Stmt>,
}
