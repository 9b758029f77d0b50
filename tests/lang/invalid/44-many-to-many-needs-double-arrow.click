// Error at line 4: many-to-many connections require `=>` (two ports on both sides of `->`).
c :: Classifier(12/0800, -);
Idle -> c;
c [0, 1] -> Paint(1), Paint(2) -> Discard;
