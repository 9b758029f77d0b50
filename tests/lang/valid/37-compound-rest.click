// `__REST__ $rest` collects the remaining arguments (click.5): $rest = "LIMIT 5, STOP true".
elementclass Src {
  $data, __REST__ $rest |
  InfiniteSource(DATA $data, $rest) -> output;
}
Src("hi", LIMIT 5, STOP true) -> Discard;
