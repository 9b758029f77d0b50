// Error at line 4: cannot extend unknown element class 'Nope' with `|| ...`.
elementclass Nope {
  $a | input -> Paint($a) -> output
|| ...
}
