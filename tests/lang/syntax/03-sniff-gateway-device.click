// Language-only check: mazu-nat.click's SniffGatewayDevice compound (PullTee, ToHostSniffers, ScheduleInfo).
elementclass SniffGatewayDevice {
  $device |
  from :: FromDevice($device) -> t1 :: Tee -> output;
  input -> q :: Queue(1024) -> t2 :: PullTee -> to :: ToDevice($device);
  t1[1] -> ToHostSniffers;
  t2[1] -> ToHostSniffers($device);
  ScheduleInfo(from .1, to 1);
}
dev :: SniffGatewayDevice(eth0);
dev -> dev;
