// Error at line 4 (config string opened there): unterminated config string -- `Print(` has no matching `)`
// (the parenthesis inside the quotes does not count); reported as expected ')' at end of file.
Idle
  -> Print("ok)", (nested)
  -> Discard;
