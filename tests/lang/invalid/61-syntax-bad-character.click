// Error at line 2: syntax error near '=' -- `=` alone is not a Click token (only `=>`).
Idle = Idle;
