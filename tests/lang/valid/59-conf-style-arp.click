// In the style of Click's conf/ examples (fake-iprouter.click): per-interface classifier, ARP
// responder and querier, a Tee delivering ARP replies, Idle as a placeholder input.
c0 :: Classifier(12/0806 20/0001,
                 12/0806 20/0002,
                 12/0800,
                 -);
out0 :: Queue(200) -> ToDevice(eth0);
arpq0 :: ARPQuerier(192.0.2.1, 00:00:C0:AE:67:EF);
FromDevice(eth0) -> [0]c0;
Idle -> [0]arpq0;
t :: Tee(2);
c0[1] -> t;
t[0] -> Discard;
t[1] -> [1]arpq0;
ar0 :: ARPResponder(192.0.2.1 00:00:C0:AE:67:EF,
                    198.51.100.0/24 00:00:C0:AE:67:EF);
c0[0] -> ar0 -> out0;
arpq0 -> out0;
c0[2] -> Discard;
c0[3] -> Print(c3) -> Discard;
