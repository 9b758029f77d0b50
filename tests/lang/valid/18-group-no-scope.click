// A group does not open a scope: `t` declared inside the group is visible after it closes.
Idle -> ( input -> t :: Tee(2) -> output ) -> Discard;
t [1] -> Discard;
