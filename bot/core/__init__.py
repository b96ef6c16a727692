"""The core: plan → gate → execute, in rooms that follow one request down the flow.

flow (dispatch, pipeline, execute, undo) > world (which meeting; what runs now; re-reading a shown plan) >
request (the context of one request, the intent registry) > decide (the gate, policy) and answer (replies,
progress) > identity (chat user → vendor ids, admins) > model (the vocabulary: events, intents, plans,
outcomes, the vendor interface). Each room imports only the rooms below it (pyproject: import-linter)."""
