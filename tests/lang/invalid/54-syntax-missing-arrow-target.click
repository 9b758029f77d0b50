// Error at line 2: syntax error near ';' -- `->` has no element after it.
Idle -> ;
Idle -> Discard;
