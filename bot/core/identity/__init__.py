"""Identity: from a chat user to a Person with per-vendor ids; profiles; admins from the directory."""
