// A compound with two inputs and two outputs (click.5 example), used with explicit ports.
elementclass Pair {
  input [0] -> Counter -> [0] output;
  input [1] -> Paint(7) -> [1] output;
}
p :: Pair;
Idle -> [0] p [0] -> Discard;
Idle -> [1] p [1] -> Discard;
