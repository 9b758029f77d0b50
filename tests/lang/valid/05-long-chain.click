// A long chain of anonymous and named elements, across several lines.
InfiniteSource(LIMIT 10, STOP true)
  -> Counter
  -> Strip(14)
  -> Unstrip(14)
  -> Paint(3)
  -> CheckPaint(3)
  -> Null
  -> mid :: Counter
  -> MarkIPHeader(14)
  -> SetIPChecksum
  -> Print(end, 64)
  -> Discard;
