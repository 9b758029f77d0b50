// Error at line 3: class 'Box' (an elementclass) used as element name. (A follow-on "not connected" error for the rejected declaration is acceptable.)
elementclass Box { input -> Counter -> output }
Box :: Counter;
Idle -> Box -> Discard;
