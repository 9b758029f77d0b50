// `\<hex>` data outside and inside double quotes; spaces and comments inside are ignored.
InfiniteSource(DATA \<02000000 0001 /* src */ 020000000002 0800
                     45 00 00 14>, LIMIT 2, STOP true)
  -> Print("\<48656c6C6f>")
  -> Discard;
