// Language-only check: a group and `=>` around element classes nfc does not have (RandomSwitch, Hub).
FromDevice(eth0) -> s :: RandomSwitch => ( input [0] -> Hub -> output; input [1] -> output ) -> Discard;
