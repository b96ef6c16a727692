"""Answers: outcomes rendered as reply text, and progress of long work."""
