// Error at line 3: input ports ignored at start of chain (`[1] Idle`).
// Error at line 4: output ports ignored at end of chain (`Discard [1]`).
[1] Idle -> Discard;
Idle -> Discard [1];
