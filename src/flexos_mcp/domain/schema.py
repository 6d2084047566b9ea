"""The PostgreSQL schema FlexOS runs on, as one text for a person or a model (the flexos://schema
resource): the migrations are the database layer's, the text a tool shows is the domain's."""

from __future__ import annotations

from ..db.migrate import load_migrations


def schema_text() -> str:
    """schema.sql (the seed, every fix commented) followed by each later migration, in the order
    they apply, each under a banner naming it."""
    return "\n\n".join(f"-- ===== migration {m.version}: {m.name} =====\n{m.sql}" for m in load_migrations())
