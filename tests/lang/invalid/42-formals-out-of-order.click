// Error at line 4: compound element parameters out of order -- positional '$a' after keyword 'KEY $k'
// (the order is positional, keywords, __REST__).
elementclass W {
  KEY $k, $a | input -> Paint($a) -> output
}
Idle -> W(1, KEY 2) -> Discard;
