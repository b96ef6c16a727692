"""The store's queries, once for both backends (bot/store/rows/base.py AsyncStore and its mixins)."""
