"""The PostgreSQL store: schema, the blocking and the async pool, the vendors' shared rate budget."""
