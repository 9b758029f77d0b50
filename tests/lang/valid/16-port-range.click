// Port range `[0-2]` (per CLICK-REFERENCE.md's port rule); same as [0,1,2].
c :: Classifier(12/0800, 12/0806, -);
Idle -> c;
c [0-2] => Paint(1), Paint(2), Paint(3) -> Discard;
