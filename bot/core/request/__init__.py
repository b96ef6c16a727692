"""One request: its context (who, where, what was said, the services) and the intent registry."""
