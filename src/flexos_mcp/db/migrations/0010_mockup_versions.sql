-- OURS: mockup version numbers are the database's, for every writer.
--
-- 1. A version number names one mockup forever. `pages.last_mockup_version` is the highest number
--    the page has ever issued; deleting version 20 does not give 20 out again. An INSERT that
--    leaves `version` out gets the next number (the seed's INSERT, which names it, still works
--    when the number is new); one that names a used number is refused. The counter row is locked
--    while the number is taken, so concurrent saves on one page get distinct numbers, and a
--    version's page and number never change afterwards.
-- 2. "Current after delete" follows the history: when the page's current version is deleted, the
--    version it was built on (`parent_mockup_id`) becomes current. After rolling back to 5 and
--    building 21 on it, deleting 21 makes 5 current again, not 20. If the parent is gone too (in
--    the same statement, or earlier), the nearest surviving ancestor; with no ancestor left, the
--    newest remaining version; with no version left, none, and a `designed` page is `draft` again.

ALTER TABLE pages ADD COLUMN last_mockup_version INTEGER NOT NULL DEFAULT 0;
UPDATE pages p SET last_mockup_version = m.top
  FROM (SELECT page_id, max(version) AS top FROM mockups GROUP BY page_id) m
 WHERE m.page_id = p.id;
ALTER TABLE pages ADD CONSTRAINT valid_last_mockup_version CHECK (last_mockup_version >= 0);

CREATE FUNCTION flexos_mockups_number() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_issued INTEGER;
BEGIN
  SELECT last_mockup_version INTO last_issued FROM pages WHERE id = NEW.page_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN NEW;  -- the page foreign key reports the missing page
  END IF;
  IF NEW.version IS NULL THEN
    NEW.version := last_issued + 1;
  ELSIF NEW.version < 1 THEN
    RETURN NEW;  -- valid_mockup_version reports it
  ELSIF NEW.version <= last_issued THEN
    RAISE EXCEPTION 'version % of page % was already used (the page has issued versions up to %); version numbers are never reused',
      NEW.version, NEW.page_id, last_issued
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'mockups_version_never_reused',
            HINT = format('Leave version out to get the next number (%s).', last_issued + 1);
  END IF;
  UPDATE pages SET last_mockup_version = NEW.version WHERE id = NEW.page_id;
  RETURN NEW;
END $$;

CREATE TRIGGER number_version BEFORE INSERT ON mockups
  FOR EACH ROW EXECUTE FUNCTION flexos_mockups_number();

CREATE FUNCTION flexos_mockups_version_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.page_id IS DISTINCT FROM OLD.page_id OR NEW.version IS DISTINCT FROM OLD.version THEN
    RAISE EXCEPTION 'mockup % is version % of page %; a version''s page and number never change', OLD.id, OLD.version, OLD.page_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'mockups_version_fixed',
            HINT = 'Save a new version instead.';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER version_fixed BEFORE UPDATE OF page_id, version ON mockups
  FOR EACH ROW EXECUTE FUNCTION flexos_mockups_version_fixed();

CREATE FUNCTION flexos_pages_version_counter_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.last_mockup_version < OLD.last_mockup_version THEN
    RAISE EXCEPTION 'page % has issued mockup versions up to %; the counter cannot go back to %',
      OLD.id, OLD.last_mockup_version, NEW.last_mockup_version
      USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_mockup_version_only_grows';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER version_counter_only_grows BEFORE UPDATE OF last_mockup_version ON pages
  FOR EACH ROW EXECUTE FUNCTION flexos_pages_version_counter_only_grows();

-- Deleting the current version: the statement trigger below picks the new current version from
-- the deleted rows' history, so the foreign key must not clear current_mockup_id first. It stays
-- deferred (a page and its first mockup can still be created in either order) and is checked at
-- commit, by which time the trigger has moved every affected page on.
ALTER TABLE pages DROP CONSTRAINT pages_current_mockup_fkey;
ALTER TABLE pages ADD CONSTRAINT pages_current_mockup_fkey
  FOREIGN KEY (current_mockup_id, id) REFERENCES mockups(id, page_id)
  DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION flexos_mockups_current_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH RECURSIVE lost AS (  -- pages whose current version was deleted by this statement
    SELECT p.id AS page_id, g.parent_mockup_id AS candidate
      FROM pages p JOIN gone g ON g.id = p.current_mockup_id
  ), walk(page_id, candidate) AS (  -- up the deleted versions' parents until one survives
    SELECT page_id, candidate FROM lost
    UNION
    SELECT w.page_id, g.parent_mockup_id FROM walk w JOIN gone g ON g.id = w.candidate
  ), chosen AS (
    SELECT l.page_id,
           COALESCE(
             (SELECT w.candidate FROM walk w JOIN mockups m ON m.id = w.candidate WHERE w.page_id = l.page_id LIMIT 1),
             (SELECT m.id FROM mockups m WHERE m.page_id = l.page_id ORDER BY m.version DESC LIMIT 1)) AS current
      FROM (SELECT DISTINCT page_id FROM lost) l
  )
  UPDATE pages p
     SET current_mockup_id = c.current,
         status = CASE WHEN c.current IS NULL AND p.status = 'designed' THEN 'draft' ELSE p.status END
    FROM chosen c
   WHERE p.id = c.page_id;
  RETURN NULL;
END $$;

CREATE TRIGGER current_after_delete AFTER DELETE ON mockups REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_mockups_current_after_delete();
