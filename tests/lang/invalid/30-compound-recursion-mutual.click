// Error at line 4: 'Pong' is used in Ping's body before Pong exists (Click: undeclared element 'Pong');
// an implementation that hoists classes must report the cycle Ping -> Pong -> Ping instead.
elementclass Ping {
  input -> Pong -> output;
}
elementclass Pong {
  input -> Ping -> output;
}
Idle -> Ping -> Discard;
