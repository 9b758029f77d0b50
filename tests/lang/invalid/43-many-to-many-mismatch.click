// Error at line 4: connection mismatch -- 2 outputs connected to 3 inputs with `=>`; the ports it names stay unconnected and are reported too.
c :: Classifier(12/0800, -);
Idle -> c;
c [0, 1] => Paint(1), Paint(2), Paint(3) -> Discard;
