// error: line 5: `rw` has no input 1 — IPRewriter has one input per input spec, and this one has one spec.
// error: line 3: `rw` output 1 is not connected — the pattern sends replies to output 1.
rw :: IPRewriter(pattern 192.0.2.1 1024-65535 - - 0 1);
Idle -> [0] rw [0] -> Discard;
Idle -> [1] rw;
