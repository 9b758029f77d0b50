// `#` line directives (as emitted by tools) at the start of a line: `# N "file"` and `#line N "file"`.
# 100 "generated.click"
Idle -> Counter
#line 7 "other.click"
  -> Discard;
