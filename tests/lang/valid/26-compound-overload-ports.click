// Overloads chosen by the number of outputs used: `s` uses 2 outputs, the anonymous one uses 1.
elementclass Split {
  input -> Counter -> output
||
  input -> c :: Classifier(12/0800, -);
  c [0] -> [0] output;
  c [1] -> [1] output;
}
Idle -> s :: Split;
s [0] -> Discard;
s [1] -> Discard;
Idle -> Split -> Discard;
