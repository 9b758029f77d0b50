// Error at line 2: syntax error near ']' -- a `]` with no `[`. (Click then also reports the orphaned
// `-> Discard` as a syntax error near '->'; the first error is the one that must be there.)
Idle ] -> Discard;
