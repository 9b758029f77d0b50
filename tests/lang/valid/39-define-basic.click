// `define($N 10, $DEV eth0)` and `$N` / `$DEV` substituted in config strings.
define($N 10, $DEV eth0);
FromDevice($DEV) -> Queue($N) -> ToDevice($DEV);
