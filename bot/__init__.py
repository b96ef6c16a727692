"""hostbot: change who hosts a video meeting, from chat."""

__version__ = "0.1.0"

# Before anything imports lark-oapi: its two package __init__s import the whole Open API (bot/lark_lazy.py).
from bot import lark_lazy as _lark_lazy

_lark_lazy.install()
