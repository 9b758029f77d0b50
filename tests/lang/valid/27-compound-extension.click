// `|| ...` extends an earlier class with a new overload; the one-argument use picks the new one,
// the zero-argument use falls back to the original definition.
elementclass P {
  input -> Paint(1) -> output
}
elementclass P {
  $color | input -> Paint($color) -> output
|| ...
}
Idle -> P -> P(9) -> Discard;
