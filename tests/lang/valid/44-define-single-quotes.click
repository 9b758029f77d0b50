// `$` inside single quotes is not expanded: the label is literally $LABEL.
define($LABEL expanded);
Idle -> Print('$LABEL') -> Print($LABEL) -> Discard;
