// error: line 6: `c` has no output 2 — Classifier(12/0800, -) has two outputs, one per pattern.
// Click: "need 3 arguments, one per output port".
FromDevice(eth0)
  -> c :: Classifier(12/0800, -);
c [0] -> Discard;
c [2] -> Discard;
c [1] -> Discard;
