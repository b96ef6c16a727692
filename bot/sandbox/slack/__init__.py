"""The Slack fake: the Web API methods hostbot calls (web.py) and Socket Mode (socket.py)."""
