-- OURS: search_project reads a stored tsvector per row instead of recomputing to_tsvector(...)
-- over every row of the project on each query, so its cost follows the size of the project, not
-- of the database. Each seed/our search index keeps its name but now indexes the stored column
-- (same words, same 'english' configuration), so there is still one GIN index per table.

ALTER TABLE pages ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || COALESCE(purpose, ''))) STORED;
DROP INDEX idx_pages_search;
CREATE INDEX idx_pages_search ON pages USING GIN(search_vector);

ALTER TABLE features ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || COALESCE(user_description, ''))) STORED;
DROP INDEX idx_features_search;
CREATE INDEX idx_features_search ON features USING GIN(search_vector);

ALTER TABLE journey_flows ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || COALESCE(description, ''))) STORED;
DROP INDEX idx_flows_search;
CREATE INDEX idx_flows_search ON journey_flows USING GIN(search_vector);

ALTER TABLE inferred_entities ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', entity_name || ' ' || COALESCE(description, ''))) STORED;
DROP INDEX idx_entities_search;
CREATE INDEX idx_entities_search ON inferred_entities USING GIN(search_vector);

ALTER TABLE user_context_items ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', COALESCE(content_text, '') || ' ' || COALESCE(submitted_context, ''))) STORED;
DROP INDEX idx_context_items_search;
CREATE INDEX idx_context_items_search ON user_context_items USING GIN(search_vector);
