// An element group `( ... )` with input/output used as a detour in a linear flow (click.5 "Element groups").
// c's two outputs are listed; `=>` maps c[0] -> group input 0 and c[1] -> group input 1; one group output.
Idle -> c :: Classifier(12/0800, -) [0, 1] => (
    input [0] -> Counter -> output;
    input [1] -> Paint(1) -> output
) -> Discard;
