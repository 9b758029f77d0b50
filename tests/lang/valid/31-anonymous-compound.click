// An anonymous inline compound in a chain: `-> { input -> Counter -> output } ->`.
Idle -> { input -> Counter -> output } -> Discard;
