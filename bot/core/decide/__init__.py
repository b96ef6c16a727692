"""Deciding: the gate (a pure function) and the policy settings it reads."""
