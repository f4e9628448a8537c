"""The Socket.IO side: the /live namespace for observers, the /console socket for the
moderator, whole WebSocket sends and the state several server processes share."""
