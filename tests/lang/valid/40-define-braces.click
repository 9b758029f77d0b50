// `${X}` delimits a variable name that is followed by word characters: ${PFX}1 is "10.0.0.1",
// while `$PFX1` would name a different variable. `$ADDR/24` needs no braces ('/' ends a name).
define($PFX 10.0.0., $ADDR 10.0.0.1, $MAC 02:00:00:00:00:01);
FromDevice(eth0)
  -> ARPResponder(${PFX}1 $MAC, $ADDR/24 ${MAC})
  -> Queue -> ToDevice(eth0);
