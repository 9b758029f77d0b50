// An element group `( ... )` with input/output used as a detour in a linear flow (click.5 "Element groups").
// c has two outputs; `=>` maps c[0] -> group input 0 and c[1] -> group input 1; the group has one output.
Idle -> c :: Classifier(12/0800, -) => (
    input [0] -> Counter -> output;
    input [1] -> Paint(1) -> output
) -> Discard;
