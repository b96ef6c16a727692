"""Reading the world before deciding: the meeting a request is about, the meetings the speaker runs
now, and a shown plan re-read against the vendors."""
