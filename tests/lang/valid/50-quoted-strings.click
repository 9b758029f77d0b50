// Double-quoted strings with escapes and commas; a comma or parenthesis inside quotes does not split/close.
Idle
  -> Print("label, with a comma")
  -> Print("tab\there \"quoted\" \\ backslash (paren")
  -> Print('single, quoted (literal)')
  -> Discard;
