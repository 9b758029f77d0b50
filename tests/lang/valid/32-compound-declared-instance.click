// An anonymous compound used as the class of a declaration: `x :: { ... };` (click.5).
x :: { input -> X1 :: Counter -> output; input [1] -> Counter -> [1] output };
Idle -> x -> Discard;
Idle -> [1] x [1] -> Discard;
