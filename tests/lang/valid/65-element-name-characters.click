// Element names may contain letters, digits, `_`, `@`, and `/` between word characters, and may
// start with a digit as long as no `/`-separated component is all digits.
my_counter, c2, 2nd, x@y, a/b :: Counter;
Idle -> my_counter -> c2 -> 2nd -> x@y -> a/b -> Discard;
