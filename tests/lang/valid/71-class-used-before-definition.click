// A compound class used before its elementclass statement: nfc resolves it (a forward use),
// where Click's sequential lexer reports an undeclared element (element-graph/DESIGN.md, 9).
Idle -> Box -> Discard;
elementclass Box { input -> Counter -> output }
