// Ports written without spaces (`c[1]->[0]d`) and with spaces inside the brackets.
c :: Classifier(12/0800, -);
d :: Discard;
Idle -> c;
c[1]->[0]d;
c[ 0 ] -> [ 0 ]d;
