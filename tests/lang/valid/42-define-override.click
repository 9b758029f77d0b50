// A `-D` value overrides the config's define: the Queue gets capacity 50, not 10.
// defines: QLEN=50
define($QLEN 10);
FromDevice(eth0) -> Queue($QLEN) -> ToDevice(eth0);
