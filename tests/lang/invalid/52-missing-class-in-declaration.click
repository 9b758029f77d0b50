// Error at line 2: missing element type in declaration (`c ::` followed by `;`).
c :: ;
Idle -> Discard;
