// A single standalone declaration `name :: Class;`, then connections by name.
c :: Counter;
Idle -> c;
c -> Discard;
