"""Handlers: one module per chat intent. HANDLERS is the explicit list the registry loads."""

from handlers.help import show_help
from handlers.set_host import set_host

HANDLERS = (show_help, set_host)
