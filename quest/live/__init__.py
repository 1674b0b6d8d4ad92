"""The live event: websocket boards, announcements, booth codes."""
