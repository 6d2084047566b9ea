-- OURS: context items are found by more than their text. A stored file's name and a page's title
-- (both in content_metadata, written when the item is analysed) join the words search_project
-- matches, beside content_text (the item's text, or the text extracted from its file or page)
-- and submitted_context. Same 'english' configuration and the same index name as before.

ALTER TABLE user_context_items DROP COLUMN search_vector;
ALTER TABLE user_context_items ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english',
    COALESCE(content_text, '') || ' ' || COALESCE(submitted_context, '') || ' ' ||
    COALESCE(content_metadata -> 'file' ->> 'name', '') || ' ' || COALESCE(content_metadata ->> 'title', ''))) STORED;
CREATE INDEX idx_context_items_search ON user_context_items USING GIN(search_vector);
