// Language-only check: kernel-level ToHost/FromHost (not in nfc) used bare and with config strings.
FromDevice(eth0) -> ToHost;
FromHost(fake0, 10.0.0.1/24) -> Queue -> ToDevice(eth0);
