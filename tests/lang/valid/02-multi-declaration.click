// `a, b, c :: Counter;` declares all three names with the same class (standalone declarations only).
a, b, c :: Counter;
Idle -> a -> b -> c -> Discard;
