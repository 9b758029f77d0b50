// `${a[N]}` selects the Nth space-separated word of a variable (Click test compound/variables-01).
elementclass Words {
  $a | input -> Print("$a") -> Print("${a[0]}") -> Print("${a[2]}") -> output
}
InfiniteSource(DATA "", LIMIT 1, STOP true) -> Words(A B C) -> Discard;
