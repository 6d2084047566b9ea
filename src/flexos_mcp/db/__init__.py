"""PostgreSQL access: the embedded server, the pool and its codecs, migrations, the gateway."""
