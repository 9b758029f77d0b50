// `${NAME-default}` substitutes the default when NAME is not defined: Queue(200).
FromDevice(eth0) -> Queue(${CAPACITY-200}) -> ToDevice(eth0);
