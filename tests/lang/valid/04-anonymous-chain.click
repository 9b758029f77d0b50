// Anonymous elements in a chain; names become Class@N (Idle@1, Counter@2, Discard@3).
Idle -> Counter -> Discard;
