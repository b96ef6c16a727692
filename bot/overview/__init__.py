"""Read models: what hostbot shows a person about the state of things, as plain values that a chat
adapter only renders (bot/overview/home.py: the Slack App Home tab's content). Below the adapters and
beside the handlers: it reads the store, the handover book, the policy and the vendors' display of a
meeting id, so that no adapter has to."""
