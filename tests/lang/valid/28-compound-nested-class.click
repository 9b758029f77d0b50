// An elementclass defined inside another compound; it is local to that compound.
elementclass Outer {
  $color |
  elementclass Inner {
    $c | input -> Paint($c) -> Counter -> output
  }
  input -> Inner($color) -> Inner(3) -> output;
}
Idle -> o :: Outer(4) -> Discard;
