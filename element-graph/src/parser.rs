//! Text → [`ast::File`] with the pest grammar in `click.pest`.

use crate::ast::*;
use crate::diag::Diagnostic;
use pest::iterators::Pair;
use pest::Parser as _;

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "click.pest"]
    pub(crate) struct ClickParser;
}

use grammar::{ClickParser, Rule};

/// Parses a whole configuration. A syntax error is returned as one diagnostic.
pub fn parse(text: &str) -> Result<File, Box<Diagnostic>> {
    let mut pairs =
        ClickParser::parse(Rule::file, text).map_err(|e| Box::new(syntax_error(text, e)))?;
    let file = pairs
        .next()
        .expect("the file rule always produces one pair");
    let stmts = file
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .filter_map(stmt)
        .collect();
    Ok(File { stmts })
}

fn span(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn ident(p: Pair<Rule>) -> Ident {
    debug_assert_eq!(p.as_rule(), Rule::ident);
    Ident {
        name: p.as_str().to_string(),
        span: span(&p),
    }
}

fn stmts(pairs: pest::iterators::Pairs<Rule>) -> Vec<Stmt> {
    pairs.filter_map(stmt).collect()
}

fn stmt(p: Pair<Rule>) -> Option<Stmt> {
    Some(match p.as_rule() {
        Rule::semi => return None,
        Rule::connection | Rule::inner_connection => Stmt::Connection(connection(p)),
        Rule::elementclass => {
            let mut it = p.into_inner().skip(1);
            let name = ident(it.next()?);
            let def = it.next()?;
            let body = match def.as_rule() {
                Rule::ident => ClassBody::Synonym(ident(def)),
                _ => ClassBody::Compound(compound(def)),
            };
            Stmt::ElementClass(ElementClassDef { name, body })
        }
        Rule::require => Stmt::Require(config(p.into_inner().nth(1)?)),
        Rule::provide => Stmt::Provide(config(p.into_inner().nth(1)?)),
        Rule::define => Stmt::Define(config(p.into_inner().nth(1)?)),
        _ => return None,
    })
}

fn config(p: Pair<Rule>) -> Config {
    let text = p.into_inner().next().expect("config holds config_text");
    Config {
        text: text.as_str().to_string(),
        span: span(&text),
    }
}

fn compound(p: Pair<Rule>) -> CompoundClass {
    let sp = span(&p);
    let alternatives = p
        .into_inner()
        .map(|alt| match alt.as_rule() {
            Rule::dots => Alternative::Extends(span(&alt)),
            _ => {
                let osp = span(&alt);
                let mut formals = None;
                let mut body = Vec::new();
                for q in alt.into_inner() {
                    match q.as_rule() {
                        Rule::formals => formals = Some(q.into_inner().map(formal).collect()),
                        Rule::bar => formals = Some(formals.unwrap_or_default()),
                        _ => body.extend(stmt(q)),
                    }
                }
                Alternative::Body(Overload {
                    formals,
                    body,
                    span: osp,
                })
            }
        })
        .collect();
    CompoundClass {
        alternatives,
        span: sp,
    }
}

fn formal(p: Pair<Rule>) -> Formal {
    let mut keyword = None;
    let mut var = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::ident => keyword = Some(ident(q)),
            _ => {
                let sp = span(&q);
                var = Some(Ident {
                    name: q.as_str()[1..].to_string(),
                    span: sp,
                });
            }
        }
    }
    Formal {
        keyword,
        var: var.expect("a formal always has a variable"),
    }
}

fn connection(p: Pair<Rule>) -> Connection {
    let sp = span(&p);
    let mut lists = Vec::new();
    let mut arrows = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::lead_arrow | Rule::trail_arrow => {
                let lead = q.as_rule() == Rule::lead_arrow;
                let arrow = q
                    .into_inner()
                    .next()
                    .expect("lead/trail arrow holds an arrow");
                let port = ElementUse {
                    input: None,
                    what: ElementRef::Name {
                        ident: Ident {
                            name: if lead { "input" } else { "output" }.to_string(),
                            span: span(&arrow),
                        },
                        config: None,
                    },
                    output: None,
                    span: span(&arrow),
                };
                let kind = if arrow.as_str() == "=>" {
                    ArrowKind::Multi
                } else {
                    ArrowKind::Single
                };
                if lead {
                    lists.push(vec![port]);
                    arrows.push((kind, span(&arrow)));
                } else {
                    arrows.push((kind, span(&arrow)));
                    lists.push(vec![port]);
                }
            }
            Rule::lead_port | Rule::trail_port => {
                let lead = q.as_rule() == Rule::lead_port;
                let sp = span(&q);
                let port = q.into_inner().next().map(ports);
                let (input, output) = if lead { (None, port) } else { (port, None) };
                lists.push(vec![ElementUse {
                    input,
                    what: ElementRef::Name {
                        ident: Ident {
                            name: if lead { "input" } else { "output" }.to_string(),
                            span: sp,
                        },
                        config: None,
                    },
                    output,
                    span: sp,
                }]);
            }
            Rule::arrow => {
                let kind = if q.as_str() == "=>" {
                    ArrowKind::Multi
                } else {
                    ArrowKind::Single
                };
                arrows.push((kind, span(&q)));
            }
            _ => lists.push(q.into_inner().map(element).collect()),
        }
    }
    Connection {
        lists,
        arrows,
        span: sp,
    }
}

fn element(p: Pair<Rule>) -> ElementUse {
    let mut input = None;
    let mut output = None;
    let mut what = None;
    let mut what_span = span(&p);
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::port if what.is_none() => input = Some(ports(q)),
            Rule::port => output = Some(ports(q)),
            _ => {
                what_span = span(&q);
                what = Some(element_ref(q));
            }
        }
    }
    ElementUse {
        input,
        what: what.expect("an element always names something"),
        output,
        span: what_span,
    }
}

fn element_ref(p: Pair<Rule>) -> ElementRef {
    match p.as_rule() {
        Rule::decl => {
            let mut names = Vec::new();
            let mut class = None;
            let mut cfg = None;
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::ident => names.push(ident(q)),
                    Rule::class_ref => {
                        let c = q.into_inner().next().expect("class_ref is not empty");
                        class = Some(match c.as_rule() {
                            Rule::ident => ClassRef::Named(ident(c)),
                            _ => ClassRef::Compound(compound(c)),
                        });
                    }
                    _ => cfg = Some(config(q)),
                }
            }
            ElementRef::Decl {
                names,
                class: class.expect("a declaration names a class"),
                config: cfg,
            }
        }
        Rule::group => ElementRef::Group(stmts(p.into_inner())),
        Rule::inline_use => {
            let mut it = p.into_inner();
            let class = compound(it.next().expect("inline_use has a body"));
            ElementRef::Inline {
                class,
                config: it.next().map(config),
            }
        }
        _ => {
            let mut it = p.into_inner();
            let id = ident(it.next().expect("name_use has a name"));
            ElementRef::Name {
                ident: id,
                config: it.next().map(config),
            }
        }
    }
}

fn ports(p: Pair<Rule>) -> Ports {
    let sp = span(&p);
    let mut list = Vec::new();
    for item in p.into_inner() {
        let mut nums = item
            .into_inner()
            .map(|n| n.as_str().parse::<u32>().unwrap_or(u32::MAX));
        let lo = nums.next().unwrap_or(0);
        let hi = nums.next().unwrap_or(lo);
        if hi >= lo && hi - lo < 4096 {
            list.extend(lo..=hi);
        } else {
            list.push(lo);
            list.push(hi);
        }
    }
    Ports {
        ports: list,
        span: sp,
    }
}

/// Turns pest's error into a diagnostic a Click user can act on.
fn syntax_error(text: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let rest = &text[pos.min(text.len())..];
    let found = describe_token(rest);
    let here = Span::new(pos, pos + rest.chars().next().map_or(0, char::len_utf8));
    if rest.starts_with("/*") {
        return Diagnostic::error(
            "unterminated `/*` comment",
            Span::new(pos, pos + 2),
            "comment starts here",
        )
        .with_hint("close the comment with `*/`");
    }
    if rest.starts_with('#') {
        let line_end = rest.find('\n').unwrap_or(rest.len());
        return Diagnostic::error("unknown `#` directive", Span::new(pos, pos + line_end), "not a line directive")
            .with_hint("Click accepts only line directives such as `# 12 \"file.click\"`; write comments with `//`");
    }
    let expected: Vec<&str> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut v: Vec<&str> = positives.iter().filter_map(|r| rule_name(*r)).collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if let Some(open) = unclosed_config(text, pos) {
        return Diagnostic::error(
            "unbalanced parentheses in config string",
            Span::new(open, open + 1),
            "this `(` is never closed",
        )
        .with_hint("a config string runs to the matching `)`; quote a lone parenthesis as \"(\" or escape it as `\\(`");
    }
    let message = if expected.is_empty() {
        format!("syntax error near {found}")
    } else {
        format!(
            "syntax error: expected {}, found {found}",
            join_or(&expected)
        )
    };
    let hint = if rest.starts_with(']') || rest.starts_with('[') {
        Some("ports are written `[N]` right before or after an element: `a [1] -> [0] b`")
    } else if rest.trim().is_empty() && text.trim_end().ends_with("->") {
        Some("a connection needs an element after its arrow")
    } else {
        None
    };
    let d = Diagnostic::error(message, here, "unexpected here");
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// If the error at `pos` lies inside a config string whose `(` never closes,
/// the position of that `(`.
fn unclosed_config(text: &str, pos: usize) -> Option<usize> {
    // Walk back from the end: a config that never closes makes pest fail at
    // end of input; find the last `(` after an identifier that has no match.
    if pos < text.len() && !text[pos..].trim().is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut i = bytes.len();
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b')' => depth += 1,
            b'(' if depth == 0 => return Some(i),
            b'(' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn describe_token(rest: &str) -> String {
    let Some(c) = rest.chars().next() else {
        return "end of file".to_string();
    };
    if c.is_ascii_alphanumeric() || c == '_' || c == '@' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "_@/".contains(*c))
            .collect();
        return format!("`{word}`");
    }
    for punct in ["->", "=>", "::", "||", "..."] {
        if rest.starts_with(punct) {
            return format!("`{punct}`");
        }
    }
    format!("`{c}`")
}

fn rule_name(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::ident | Rule::name_use | Rule::decl | Rule::element | Rule::element_list => {
            "an element"
        }
        Rule::class_body | Rule::inline_use | Rule::class_ref => "a class",
        Rule::group => "`(`",
        Rule::arrow => "`->`",
        Rule::port | Rule::port_item | Rule::int => "a port number",
        Rule::config | Rule::config_text => "a config string",
        Rule::semi => "`;`",
        Rule::variable | Rule::formal | Rule::formals => "a `$variable`",
        Rule::dots => "`...`",
        Rule::kw_elementclass | Rule::elementclass => "`elementclass`",
        Rule::EOI => "end of file",
        _ => return None,
    })
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [a] => a.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
