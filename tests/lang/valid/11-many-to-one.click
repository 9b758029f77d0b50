// Many-to-one: `x, y -> z` connects x[0] -> z and y[0] -> z (two push outputs into one push input).
s1 :: InfiniteSource(LIMIT 1, STOP true);
s2 :: InfiniteSource(LIMIT 1);
c :: Classifier(12/0800, -);
s1, s2 -> Counter -> c;
c [0], c [1] -> Discard;
