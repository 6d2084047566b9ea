-- OURS: a project bundle restores rows exactly as they were exported (`flexos-mcp import`), in one
-- transaction that declares itself with `SET LOCAL flexos.restoring = 'on'`. Any other writer is
-- unchanged: the setting is unset, and both rules below hold as before.
--
-- 1. updated_at: a restore puts deferred columns back with an UPDATE (a page's parent and version
--    counter); under the setting, updated_at keeps the exported value instead of the import's time.
-- 2. Mockup version numbers (0010): a restore inserts every version with its exported number into
--    pages it has just created and nobody else sees yet. Under the setting a mockup that names its
--    version skips the numbering trigger (its lock and its UPDATE of the page were most of an
--    import's time); the importer sets each page's counter to its exported value and refuses, before
--    commit, any page whose counter is below one of its versions. The unique (page_id, version) key
--    still refuses a duplicate, and a restored mockup without a number is refused.
CREATE OR REPLACE FUNCTION flexos_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('flexos.restoring', true) IS DISTINCT FROM 'on' THEN
    NEW.updated_at := NOW();
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION flexos_mockups_number() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_issued INTEGER;
BEGIN
  IF NEW.version IS NULL AND current_setting('flexos.restoring', true) IS NOT DISTINCT FROM 'on' THEN
    RAISE EXCEPTION 'a restored mockup of page % has no version number', NEW.page_id
      USING ERRCODE = 'not_null_violation', COLUMN = 'version';
  END IF;
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

-- BEFORE triggers fire in name order; the name stays, so fill_from_parent (0011) still runs first.
DROP TRIGGER number_version ON mockups;
CREATE TRIGGER number_version BEFORE INSERT ON mockups FOR EACH ROW
  WHEN (NEW.version IS NULL OR current_setting('flexos.restoring', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION flexos_mockups_number();
