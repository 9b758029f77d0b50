// Positional formal parameters `$len, $color |` substituted into the components' config strings.
elementclass StripPaint {
  $len, $color |
  input -> Strip($len) -> Paint($color) -> output;
}
Idle -> StripPaint(14, 2) -> Discard;
