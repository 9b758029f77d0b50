// Error at line 2, Paint's config: COLOR 256 out of range (0-255).
Idle -> Paint(256) -> Discard;
