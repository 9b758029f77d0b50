// Many-to-many with `=>` and a port list: c[0]->Paint(1), c[1]->Paint(2), c[2]->Paint(3); then all into one Discard.
c :: Classifier(12/0800, 12/0806, -);
Idle -> c;
c [0, 1, 2] => Paint(1), Paint(2), Paint(3) -> Discard;
