// A global define is visible inside compounds, including nested ones.
define($COLOR 4, $LEN 14);
elementclass Inner { input -> Paint($COLOR) -> output }
elementclass Outer { input -> Strip($LEN) -> Inner -> { input -> Paint(${COLOR}) -> output } -> output }
Idle -> Outer -> Discard;
