// Error at line 3: undeclared element 'nosuch' inside compound 'C'.
elementclass C {
  input -> nosuch -> output;
}
Idle -> C -> Discard;
