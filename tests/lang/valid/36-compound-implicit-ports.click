// Inside a compound, a connection may start with `->` (implicit input) and end with `->` (implicit output).
elementclass Pass { -> Counter -> }
Idle -> Pass -> Discard;
