// Error at line 5: compound 'M' requires keyword argument COLOR (click.5: "missing 'COLOR' parameter").
elementclass M {
  COLOR $c | input -> Paint($c) -> output
}
Idle -> M(3) -> Discard;
