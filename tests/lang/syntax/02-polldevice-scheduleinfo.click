// Language-only check: PollDevice and ScheduleInfo (not in nfc); ScheduleInfo has no ports.
pd :: PollDevice(eth0) -> Queue -> td :: ToDevice(eth1);
ScheduleInfo(pd .1, td 1);
