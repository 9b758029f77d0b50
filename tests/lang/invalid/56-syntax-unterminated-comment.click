// Error at line 3: unterminated `/*` comment (runs to end of file). Click itself silently stops at EOF;
// nfc must report it, pointing at the `/*`.
Idle -> Discard; /* this comment
never ends
Idle -> Counter -> Discard;
