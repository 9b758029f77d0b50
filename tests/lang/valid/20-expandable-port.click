// `[]` is an expandable port list: t [] => a, b, c connects t[0]->a, t[1]->b, t[2]->c.
t :: Tee(3);
Idle -> t;
t [] => Counter, Counter, Counter -> Discard;
