// Nested parentheses inside a config string are balanced by the lexer and kept in the argument.
FromDevice(eth0)
  -> Strip(14)
  -> CheckIPHeader
  -> f :: IPFilter(allow (src host 10.0.0.1 or src host 10.0.0.2) and (tcp or udp),
                   allow ((icmp)),
                   deny -)
  -> Discard;
