// The smallest image that does work: 1,000 packets of 60 bytes made,
// counted and dropped; the configuration stops when the source ends.
src :: InfiniteSource(DATA \<000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000>, LIMIT 1000, BURST 32, STOP true)
    -> c :: Counter
    -> Discard;

// A number from the image's entropy (RDSEED/RDRAND): different each boot.
Script(print "random $(random 1000000000)");
