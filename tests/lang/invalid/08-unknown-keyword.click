// Error at line 2, InfiniteSource's config: unknown keyword 'STOPP'; hint: did you mean 'STOP'.
InfiniteSource(LIMIT 5, STOPP true) -> Discard;
