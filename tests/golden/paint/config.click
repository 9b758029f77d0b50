// Paint: Classifier sorts by IP protocol (byte 23): UDP gets paint 0,
// TCP 1, ICMP 255, anything else 2. PaintTee copies paint-1 packets to
// port 0; CheckPaint(2) passes paint 2 to port 1 and sends the rest to a
// PaintSwitch (paint N to output N, 255 to both). Tee copies every packet
// to a Switch set to output 1, then a StaticSwitch(0).
src :: FromDump($IN, STOP true) -> t :: Tee(2);
t[0] -> cl :: Classifier(23/11, 23/06, 23/01, -);
m :: Null -> pt :: PaintTee(1) -> cp :: CheckPaint(2) -> ToDump($OUT/port1.pcap);
cl[0] -> Paint(0) -> m;
cl[1] -> Paint(1) -> m;
cl[2] -> Paint(255) -> m;
cl[3] -> Paint(2) -> m;
pt[1] -> ToDump($OUT/port0.pcap);
cp[1] -> ps :: PaintSwitch;
ps[0] -> ToDump($OUT/port2.pcap);
ps[1] -> ToDump($OUT/port3.pcap);
t[1] -> sw :: Switch(1);
sw[0] -> ToDump($OUT/port4.pcap);
sw[1] -> ss :: StaticSwitch(0) -> ToDump($OUT/port5.pcap);
ss[1] -> ToDump($OUT/port6.pcap);
