// `require(...)` statement: require(compact_config) is a language-level requirement.
require(compact_config);
Idle -> Counter -> Discard;
