// Ports at the outer ends of a chain connect nothing: nfc warns (Click errors), see
// element-graph/DESIGN.md, 9. Warnings at line 3 (`[1] Idle`) and line 4 (`Discard [1]`).
[1] Idle -> Discard;
Idle -> Discard [1];
