// Inside a group, `input`/`output` may be left implicit at the ends of a connection: `( -> Counter -> )`.
Idle -> ( -> Counter -> ) -> Discard;
