// Written as click.5 writes it: declarations first, then connections by name, ports as `name [p]`.
src :: FromDevice(eth0);
c :: Classifier(12/0800, -);
p :: Paint(1);
y :: Queue;
out :: ToDevice(eth1);

src -> c -> y;
c [1] -> p -> y;
y -> out;
