// Error at line 3: 'Box' is used before its elementclass statement (line 4); a class's scope starts
// after its closing brace (click.5), so 'Box' here is an undeclared element.
Idle -> Box -> Discard;
elementclass Box { input -> Counter -> output }
