"""The Socket.IO side: the live page (page), the payload checks every inbound event passes
(payloads), the /live namespace and its fan-out to observers (namespace), the /console socket
for the moderator (console, console_protocol), whole WebSocket sends and the state several
server processes share. The event names and their payloads are `sessions.events.LiveEvent`
and `ConsoleEvent`."""
