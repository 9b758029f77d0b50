// Keyword formals `COLOR $c` mixed with a positional one; keywords may be given in any order.
elementclass Marker {
  $len, COLOR $c, ANNO $unused |
  input -> Strip($len) -> Paint($c) -> output;
}
Idle -> Marker(14, ANNO x, COLOR 5) -> Marker(0, COLOR 6, ANNO y) -> Discard;
