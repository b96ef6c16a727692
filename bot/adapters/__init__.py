"""Chat adapters: platform payloads in, neutral events to the dispatcher, replies rendered back."""
