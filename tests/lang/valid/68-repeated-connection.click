// Repeating the same connection is not an error (click.5); it is one edge, so f's push
// output 0 is still connected only once.
f :: FromDevice(eth0);
q :: Queue;
f -> q;
f -> q;
q -> ToDevice(eth0);
