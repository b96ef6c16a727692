"""The vocabulary every room speaks: chat events, intents, plans, outcomes, errors, bound plans, and the
MeetingVendor interface."""
