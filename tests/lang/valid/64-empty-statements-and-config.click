// Empty statements `;;` and an explicitly empty config string `Counter()`.
;;
Idle -> Counter() -> Discard();;
;
