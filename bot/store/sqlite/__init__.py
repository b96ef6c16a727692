"""The SQLite store: schema (migrations), turns at the file, the blocking rows, the bot's writer thread."""
