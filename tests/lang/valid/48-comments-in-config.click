// Comments inside config strings are stripped before the arguments are split; a comma or `)`
// inside a comment neither splits nor closes the config.
c :: Classifier(12/0800 /* IPv4, not ARP) */,  // the first pattern, really
                12/0806,                    /* ARP */
                -);                          // everything else
Idle -> c;
c [0], c [1], c [2] -> Discard;
