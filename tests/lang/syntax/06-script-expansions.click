// Language-only check: Script with `$(...)` and `$?`-style expansions left for the element to interpret.
c :: Counter;
Idle -> c -> Discard;
Script(TYPE ACTIVE,
       wait 1s,
       print "count: $(c.count)",
       set x $(add 1 2),
       goto end $(eq $x 3),
       label end,
       stop);
