"""How Feishu events reach hostbot: the webhook's checks on raw bytes (webhook.py), lark-oapi's event
dispatch for the events hostbot subscribes to (events.py), and the long connection (ws.py)."""
