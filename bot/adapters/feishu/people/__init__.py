"""Feishu people: the contact directory (directory.py), group members for HOSTBOT_ADMINS (groups.py),
and people's own user tokens, asked for with an authorization link (oauth.py)."""
