// A nested compound sees the formals of the compound around it (lexical scoping of $variables).
elementclass Outer {
  $color |
  input -> { input -> Paint($color) -> output } -> output;
}
Idle -> Outer(8) -> Discard;
