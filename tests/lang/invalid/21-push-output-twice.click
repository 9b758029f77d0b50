// Error at line 4: push output 0 of 'f' is connected twice (first on line 3); a push output has one destination (use Tee).
f :: FromDevice(eth0);
f -> Discard;
f -> Counter -> Discard;
