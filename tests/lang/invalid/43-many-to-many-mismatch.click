// Error at line 4: connection mismatch -- 2 outputs connected to 3 inputs with `=>`; as Click does, the ports pair up as far as they go and Paint(3) stays unconnected.
c :: Classifier(12/0800, -);
Idle -> c;
c [0, 1] => Paint(1), Paint(2), Paint(3) -> Discard;
