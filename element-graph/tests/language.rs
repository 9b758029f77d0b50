//! Click language features checked on the flattened graph: variable
//! expansion inside compound classes, and Click's own error wording.

use nfc_graph::{export, load, Source};

/// The flattened configuration (syntax mode), or the diagnostics'
/// messages when it has errors.
fn flat(text: &str) -> Result<String, Vec<String>> {
    let out = load(&Source::new("t.click", text), &[], None);
    if !out.ok() {
        return Err(out.diagnostics.into_iter().map(|d| d.message).collect());
    }
    Ok(export::to_click(&out.graph.expect("a graph"), None))
}

/// The configuration strings of the flattened elements of class `class`.
fn configs(text: &str, class: &str) -> Vec<String> {
    let out = load(&Source::new("t.click", text), &[], None);
    assert!(out.ok(), "{:?}", out.diagnostics);
    out.graph
        .expect("a graph")
        .elements
        .into_iter()
        .filter(|e| e.class == class)
        .map(|e| e.config.text)
        .collect()
}

#[test]
fn indexed_variables_give_one_word() {
    let text = r#"
elementclass Foo {
   $a | input -> P("$a") -> P("${a[0]}") -> P("${a[2]}") -> P("${a[3]}") -> output
}
elementclass Bar {
   $a, $n | input -> P("${a[$n]}") -> output
}
elementclass Baz {
   $a | input -> Bar(${a[1]} ${a[0]}, ${a[2]}) -> output
}
S -> Foo(A B C) -> Bar(D E F, 2) -> Baz(G H 1) -> Baz(I J 0) -> Q
"#;
    assert_eq!(
        configs(text, "P"),
        [
            "\"A B C\"",
            "\"A\"",
            "\"C\"",
            "\"\"",
            "\"F\"",
            "\"G\"",
            "\"J\""
        ]
    );
    // Quoted words stay whole; a bad index gives nothing; an unknown
    // variable stays as written.
    assert_eq!(
        configs(
            r#"elementclass F { $a | input -> P(${a[1]}, x${a[z]}x, ${b[0]}) -> output }
               S -> F(one "two three" four) -> Q"#,
            "P"
        ),
        ["\"two three\", xx, ${b[0]}"]
    );
    assert!(flat("define($v a b); S -> P(${v[1]}) -> Q").is_ok());
}

/// The configuration as Click's router unparses it.
fn unparsed(text: &str) -> String {
    let out = load(&Source::new("t.click", text), &[], None);
    assert!(out.ok(), "{:?}", out.diagnostics);
    export::unparse(&out.graph.expect("a graph"))
}

#[test]
fn unparse_gathers_chains_as_click_does() {
    assert_eq!(
        unparsed("require(compact_config); a :: S -> b :: T(1, 2) -> c :: U;"),
        "require(compact_config);\n\n\
         a :: S;\nb :: T(1, 2);\nc :: U;\n\n\
         a -> b\n    -> c;\n"
    );
    // Ports other than 0 are written; a connection into port 1 ends its
    // chain, and a second output starts one of its own.
    assert_eq!(
        unparsed("a :: S; b :: T; c :: U; a [1] -> [1] b -> c; a -> c; b [2] -> [0] c"),
        "a :: S;\nb :: T;\nc :: U;\n\n\
         a [1] -> [1] b;\n\
         b -> c;\n\
         a -> c;\n\
         b [2] -> c;\n"
    );
    // A cycle has no start: its first connection starts it.
    assert_eq!(
        unparsed("a :: S; b :: T; a -> b -> a"),
        "a :: S;\nb :: T;\n\na -> b\n    -> a;\n"
    );
    assert_eq!(unparsed(""), "");
}

#[test]
fn redeclarations_are_reported_at_cpp_landmarks() {
    // What `cpp A` prints when A includes B at its line 4.
    let text =
        "# 1 \"A\"\n\nx :: Idle;\nyy :: Idle;\n# 1 \"B\" 1\nx :: Idle;\n# 5 \"A\" 2\ny :: Idle;\n";
    let source = Source::new("-", text);
    let out = load(&source, &[], None);
    assert_eq!(
        source.render_landmarks(&out.diagnostics),
        "B:1: redeclaration of element 'x'\nA:2: element 'x' previously declared here\n"
    );
    let at = |needle: &str| source.landmark(text.find(needle).unwrap());
    assert_eq!(at("yy"), "A:3");
    assert_eq!(source.landmark(text.rfind("y ::").unwrap()), "A:5");
    // `#line` directives, and none at all.
    let plain = Source::new("t.click", "a;\n#line 40 \"z.click\"\nb;\n# 7\nq;\n");
    let at = |needle: &str| plain.landmark(plain.text.find(needle).unwrap());
    assert_eq!(
        (at("a"), at("b"), at("q")),
        ("t.click:1".into(), "z.click:40".into(), "z.click:7".into())
    );
}

/// The flattened connections (syntax mode) as `from[port] -> to[port]`,
/// or the diagnostics' messages when there are errors.
fn links(text: &str) -> Result<Vec<String>, Vec<String>> {
    let out = load(&Source::new("t.click", text), &[], None);
    if !out.ok() {
        return Err(out.diagnostics.into_iter().map(|d| d.message).collect());
    }
    let g = out.graph.expect("a graph");
    let name = |i: usize| g.elements[i].name.clone();
    let mut v: Vec<String> = g
        .connections
        .iter()
        .map(|c| {
            format!(
                "{}[{}] -> {}[{}]",
                name(c.from.element),
                c.from.port,
                name(c.to.element),
                c.to.port
            )
        })
        .collect();
    v.sort();
    Ok(v)
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn double_arrow_fills_a_group_s_inputs_from_a_lone_element() {
    // Click test standard/Bypass-02: a group implies a port list naming all
    // of its inputs, so the lone `b` stands for outputs 0 and 1.
    assert_eq!(
        links("s :: S; b :: B; s -> b => ( [0] -> p0 :: P -> d :: D; [1] -> p1 :: P -> d )"),
        Ok(sorted(&[
            "s[0] -> b[0]",
            "b[0] -> p0[0]",
            "b[1] -> p1[0]",
            "p0[0] -> d[0]",
            "p1[0] -> d[0]",
        ]))
    );
    // Nested, as Bypass-02 writes it: two sources into a lone element, whose
    // outputs fill a group, inside which another lone element fills another.
    assert_eq!(
        links(
            "a :: S, c :: S => p :: B => ( [0] -> k :: B => ( [0] -> x :: D; [1] -> y :: D ); \
             [1] -> z :: D )"
        ),
        Ok(sorted(&[
            "a[0] -> p[0]",
            "c[0] -> p[1]",
            "p[0] -> k[0]",
            "p[1] -> z[0]",
            "k[0] -> x[0]",
            "k[1] -> y[0]",
        ]))
    );
}

#[test]
fn double_arrow_drains_a_group_s_outputs_into_a_lone_element() {
    // Click test standard/Shaper-01's shape: two outputs out, two in.
    assert_eq!(
        links("s :: Sh; r :: RR; s => ( [0] -> c :: C -> [0]; [1] -> [1] ) => r"),
        Ok(sorted(&["s[0] -> c[0]", "s[1] -> r[1]", "c[0] -> r[0]",]))
    );
    // A group with one port on a side pairs it with port 0.
    assert_eq!(
        links("s :: S; d :: D; s => ( [0] -> c :: C -> [0] ) => d"),
        Ok(sorted(&["s[0] -> c[0]", "c[0] -> d[0]"]))
    );
}

#[test]
fn single_arrow_fans_out_to_every_port_a_group_implies() {
    // Click pairs `x -> (two inputs)` as x[0] to both, and both outputs of
    // a group into one input.
    assert_eq!(
        links("s :: S; d :: D; s -> ( [0] -> a :: A -> [0]; [1] -> b :: B -> [1] ) -> d"),
        Ok(sorted(&[
            "s[0] -> a[0]",
            "s[0] -> b[0]",
            "a[0] -> d[0]",
            "b[0] -> d[0]",
        ]))
    );
}

#[test]
fn ports_written_on_a_group_override_the_implied_ones() {
    assert_eq!(
        links(
            "s :: S; d :: D; e :: E; \
             s [0, 1] => [1, 0] ( [0] -> a :: A -> [0]; [1] -> b :: B -> [1] ) [1, 0] => d, e"
        ),
        Ok(sorted(&[
            "s[0] -> b[0]",
            "s[1] -> a[0]",
            "b[0] -> d[0]",
            "a[0] -> e[0]",
        ]))
    );
}

#[test]
fn compound_elements_imply_no_ports() {
    // Only groups do: a compound element with no ports written is one port,
    // as in Click, whatever its class declares.
    assert_eq!(
        links("s :: S; s => { [0] -> a :: A -> [0]; [1] -> b :: B -> [0] } -> d :: D"),
        Ok(sorted(&[
            "s[0] -> @2/a[0]",
            "@2/a[0] -> d[0]",
            "@2/b[0] -> d[0]"
        ]))
    );
}

#[test]
fn arrows_pair_lists_as_click_does() {
    // Fan-out and fan-in with `->`; one to one with `=>`.
    assert_eq!(
        links("s :: S; a :: A; b :: B; s -> a, b; a, b -> d :: D"),
        Ok(sorted(&[
            "s[0] -> a[0]",
            "s[0] -> b[0]",
            "a[0] -> d[0]",
            "b[0] -> d[0]",
        ]))
    );
    assert_eq!(
        links("s :: S; a :: A; b :: B; s => a, b"),
        Ok(sorted(&["s[0] -> a[0]", "s[1] -> b[0]"]))
    );
    assert_eq!(
        links("a :: A; b :: B; t :: T; a, b => t"),
        Ok(sorted(&["a[0] -> t[0]", "b[0] -> t[1]"]))
    );
    // `[]` grows to what the other side has; an element with a port list
    // stands for all of them.
    assert_eq!(
        links("s :: S; b :: B; c :: C; s [0, 1, 2] => [] b, c"),
        Ok(sorted(&["s[0] -> b[0]", "s[1] -> b[1]", "s[2] -> c[0]"]))
    );
    assert_eq!(
        links("s :: S; b :: B; c :: C; s [3] -> [] b"),
        Ok(sorted(&["s[3] -> b[0]"]))
    );
}

#[test]
fn arrows_report_click_s_port_count_errors() {
    let err = |text: &str| links(text).expect_err(text);
    assert!(err("a :: A; b :: B; c :: C; d :: D; a, b -> c, d")
        .contains(&"syntax error: many-to-many connections require '=>'".to_string()));
    assert!(err("a :: A; c :: C; d :: D; e :: E; a [0, 1] => c, d, e")
        .contains(&"connection mismatch: 2 outputs connected to 3 inputs".to_string()));
    assert!(
        err("a :: A; c :: C; d :: D; e :: E; a [0, 1] => [] c, d, e")
            .contains(&"connection mismatch: 2 outputs connected to 3 or more inputs".to_string())
    );
    assert!(err("a :: A; c :: C; d :: D; a [] => [] c, d")
        .contains(&"at most one expandable port allowed per connection".to_string()));
    // Two groups of two ports each take `=>`, which pairs them.
    let two = "( [0] -> a :: A -> [0]; [1] -> b :: B -> [1] )";
    assert!(err(&format!("{two} -> ( [0] -> c :: C; [1] -> d :: D )"))
        .contains(&"syntax error: many-to-many connections require '=>'".to_string()));
    assert_eq!(
        links(&format!("{two} => ( [0] -> c :: C; [1] -> d :: D )")),
        Ok(sorted(&["a[0] -> c[0]", "b[0] -> d[0]"]))
    );
}

#[test]
fn bare_ports_in_groups_parse_as_the_group_s_own() {
    use nfc_graph::ast::{ElementRef, Stmt};
    let file = nfc_graph::parser::parse("x :: X; ( [0] -> x; x -> [2]; [1] -> [1]; [3] -> [1] x )")
        .expect("parses");
    let Stmt::Connection(c) = &file.stmts[1] else {
        panic!("a connection")
    };
    let ElementRef::Group(stmts) = &c.lists[0][0].what else {
        panic!("a group")
    };
    // Each statement as (first element, its output ports) ... (last
    // element, its input ports).
    let ends: Vec<(String, Vec<u32>, String, Vec<u32>)> = stmts
        .iter()
        .map(|s| {
            let Stmt::Connection(c) = s else {
                panic!("a connection")
            };
            let name = |u: &nfc_graph::ast::ElementUse| match &u.what {
                ElementRef::Name { ident, .. } => ident.name.clone(),
                other => panic!("a name, not {other:?}"),
            };
            let first = &c.lists[0][0];
            let last = &c.lists[c.lists.len() - 1][0];
            let ports = |p: &Option<nfc_graph::ast::Ports>| {
                p.as_ref().map(|p| p.ports.clone()).unwrap_or_default()
            };
            (
                name(first),
                ports(&first.output),
                name(last),
                ports(&last.input),
            )
        })
        .collect();
    let owned = |a: &str, p: &[u32], b: &str, q: &[u32]| {
        (a.to_string(), p.to_vec(), b.to_string(), q.to_vec())
    };
    assert_eq!(
        ends,
        [
            owned("input", &[0], "x", &[]),
            owned("x", &[], "output", &[2]),
            owned("input", &[1], "output", &[1]),
            owned("input", &[3], "x", &[1]),
        ]
    );
    // Flattened, they join the group's ports to what surrounds it.
    assert_eq!(
        links("s :: S; d :: D; s => ( [0] -> x :: X -> [0]; [1] -> [1] ) => d"),
        Ok(sorted(&["s[0] -> x[0]", "x[0] -> d[0]", "s[1] -> d[1]"]))
    );
    // Outside a group, a bare port has nothing to stand for.
    assert!(nfc_graph::parser::parse("[0] -> x :: X").is_err());
    assert!(nfc_graph::parser::parse("x :: X -> [0]").is_err());
    assert!(nfc_graph::parser::parse("( [0] )").is_err());
}
