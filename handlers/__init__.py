"""Handlers: one module per chat intent. HANDLERS is the explicit list the registry loads."""

from handlers.cancel import cancel
from handlers.cohost import add_cohost, remove_cohost
from handlers.compound import compound
from handlers.did_you_mean import did_you_mean
from handlers.handover import cancel_handover, list_handovers, schedule_handover
from handlers.help import show_help
from handlers.invite import invite
from handlers.link import link_meeting
from handlers.nothing import nothing
from handlers.reassign import reassign
from handlers.set_host import set_host
from handlers.undo import undo
from handlers.who_is_host import who_is_host

HANDLERS = (show_help, set_host, link_meeting, schedule_handover, list_handovers, cancel_handover,
            add_cohost, remove_cohost, invite, reassign, who_is_host, nothing, did_you_mean, compound,
            undo, cancel)
