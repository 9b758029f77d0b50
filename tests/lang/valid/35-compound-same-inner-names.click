// The same inner name `c` in two compounds and at top level does not clash: `c`, `a/c`, `b/c`.
elementclass A { input -> c :: Counter -> output }
elementclass B { input -> c :: Counter -> output }
Idle -> c :: Counter -> a :: A -> b :: B -> Discard;
