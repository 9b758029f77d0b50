// Error at line 5: 'c' has 2 outputs (one per pattern); output 2 is out of range.
c :: Classifier(12/0800, -);
FromDevice(eth0) -> c;
c [0], c [1] -> Discard;
c [2] -> Discard;
