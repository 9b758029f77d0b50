// Error at line 5 (the `||` after `...` on line 4): `...` should occur last, after one or more compounds.
elementclass Paint {
  $a, $b | input -> Paint($a) -> output
|| ...
|| $a, $b, $c | input -> output
}
