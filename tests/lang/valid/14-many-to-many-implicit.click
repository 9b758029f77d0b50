// `=>` with one element and no port on the left: its outputs are assigned 0, 1, 2 in order.
c :: Classifier(12/0800, 12/0806, -);
Idle -> c;
c => Paint(1), Paint(2), Paint(3) -> Discard;
