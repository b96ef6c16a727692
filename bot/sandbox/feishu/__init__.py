"""The Feishu (Lark) fake.

vc.py and invite.py (VC), im.py (IM), oauth.py (OAuth), ws.py (long connection), events.py (pushed events).
"""
