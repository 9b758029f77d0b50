// Language-only check (Click test compound/input-01): `__REST__ $rest` forwarding to RatedSource.
elementclass RS {
   __REST__ $rest | RatedSource($rest) -> output
}
elementclass P { input[0] -> Print -> [0]output }
elementclass D { input[0] -> Discard }
RS(DATA "I love myself\n", RATE 10000, LIMIT 10, STOP true) -> P -> D;
