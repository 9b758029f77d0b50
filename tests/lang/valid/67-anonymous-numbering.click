// Anonymous elements are numbered by position: Idle@1, Counter@2, Counter@3, Discard@4; named ones keep their names.
Idle -> Counter -> Counter -> Discard;
