"""Video visits: rooms, waiting room, signaling, chat, whiteboard, call quality."""
