// A compound element class with one input and one output; instances expand to `cnt/c` and `Box@N/c`.
elementclass Box {
  input -> c :: Counter -> output;
}
Idle -> cnt :: Box -> Box -> Discard;
