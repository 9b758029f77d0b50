// Error at line 2: unknown preprocessor directive `#include` (only `# N "file"` / `#line N "file"` exist).
#include "other.click"
Idle -> Discard;
