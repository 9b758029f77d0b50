// Several declarations and connections on one line, separated by `;`.
a :: Counter; b :: Counter; Idle -> a -> b; b -> Discard;
