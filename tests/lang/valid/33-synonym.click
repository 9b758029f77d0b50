// `elementclass MyCounter Counter;` makes a synonym; instances are plain Counters.
elementclass MyCounter Counter;
Idle -> MyCounter -> m :: MyCounter -> Discard;
