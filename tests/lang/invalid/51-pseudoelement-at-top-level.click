// Error at line 2: undeclared element 'input' -- 'input'/'output' exist only inside compounds and groups.
input -> Counter -> Discard;
