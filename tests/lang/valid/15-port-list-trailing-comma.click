// A port list may end with a comma, `[0, 1,]` (allowed by click.y). Click's lexer reads the trailing
// comma as "expandable from here", which changes nothing here: both sides have exactly two ports.
c :: Classifier(12/0800, -);
Idle -> c;
c [0, 1,] => Counter, Counter -> Discard;
