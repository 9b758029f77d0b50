// error: line 3: `ic` output 2 is not connected — one output per pattern, and the third has no connection.
FromDevice(eth0) -> Strip(14) -> CheckIPHeader
  -> ic :: IPClassifier(tcp dst port 80, udp dst port 53, -);
ic [0] -> Discard;
ic [1] -> Discard;
