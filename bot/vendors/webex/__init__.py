"""Webex: the vendor (reassignHost, co-hosts) and its error answers."""
