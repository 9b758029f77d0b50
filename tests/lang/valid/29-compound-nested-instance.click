// Compounds using compounds: names flatten to a/b/c (e.g. `top/mid/cnt`).
elementclass Leaf { input -> cnt :: Counter -> output }
elementclass Mid  { input -> mid :: Leaf -> output }
Idle -> top :: Mid -> Discard;
