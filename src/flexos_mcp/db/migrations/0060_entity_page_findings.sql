-- OURS: what entity inference read off each page, so infer_entities on an unchanged project
-- reads no HTML and a changed page is read again on its own (domain/entity_inference.py).
-- content_hash: sha256 of the reader's version and everything it reads of the page (slug, path,
--   name, purpose, the current mockup's HTML); a row whose hash differs is stale.
-- seeds: analysis.entities.page_seeds (the entities the page names outright, its words).
-- findings: analysis.entities.read_page, for the known entities in findings->'known'; NULL: not
--   read yet. A cache only: deleting rows loses nothing but time.
CREATE TABLE entity_page_findings (
  project_id UUID NOT NULL,
  page_id UUID NOT NULL,
  content_hash TEXT NOT NULL,
  seeds JSONB NOT NULL,
  findings JSONB,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  PRIMARY KEY (project_id, page_id),
  CONSTRAINT entity_page_findings_page_fkey FOREIGN KEY (page_id, project_id)
    REFERENCES pages(id, project_id) ON DELETE CASCADE
);
