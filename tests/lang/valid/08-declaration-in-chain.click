// Named declarations inside a chain (`-> name :: Class(config) ->`) and later references to them.
Idle -> cnt :: Counter -> t :: Tee(2) -> sink :: Discard;
t [1] -> sink;
