// Language-only check: socket and control elements (Socket, ControlSocket); ControlSocket has no ports.
ControlSocket(TCP, 7777);
Socket(UDP, 0.0.0.0, 5000) -> Print("in", 64) -> Socket(UDP, 127.0.0.1, 5001, CLIENT true);
