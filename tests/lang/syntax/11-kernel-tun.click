// Language-only check: KernelTun as both source and sink, inside a compound with a formal.
elementclass Tun { $addr | t :: KernelTun($addr); t -> output; input -> Queue -> t }
tun :: Tun(10.9.0.1/24);
tun -> Counter -> tun;
