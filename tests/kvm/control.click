// Runs until it is stopped: a thousand 69-byte packets a second, counted,
// then sent by a Switch to one of two counters. tests/tests/kvm_control.rs
// reads the counters over the serial console's ControlSocket, flips the
// switch (WRITE sw.switch 1) and stops the image with the ACPI power
// button or WRITE stop.
src :: RatedSource(RATE 1000)
    -> c :: Counter
    -> sw :: Switch(0);
sw[0] -> a :: Counter -> Discard;
sw[1] -> b :: Counter -> Discard;
