// Statements juxtaposed without `;` (semicolons are optional in Click when unambiguous).
a :: Counter
b :: Counter
Idle -> a
a -> b
b -> Discard
