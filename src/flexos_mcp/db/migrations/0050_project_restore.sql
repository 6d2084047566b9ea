-- OURS: a project bundle restores rows exactly as they were exported (`flexos-mcp import`), in one
-- transaction that declares itself with `SET LOCAL flexos.restoring = 'on'`. Any other writer is
-- unchanged: the setting is unset, and both rules below hold as before.
--
-- 1. updated_at: a restore puts deferred columns back with an UPDATE (a page's parent and version
--    counter); under the setting, updated_at keeps the exported value instead of the import's time.
-- 2. Mockup version numbers (0010): a restore inserts every version with its exported number,
--    in order, into pages it has just created and nobody else can see yet. Under the setting the
--    trigger only refuses a missing or used number and leaves the page's counter alone (one UPDATE
--    of the page per version was most of an import's time); the importer sets every counter to its
--    exported value and refuses, before commit, any page whose counter is below one of its versions.
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
  restoring BOOLEAN := current_setting('flexos.restoring', true) IS NOT DISTINCT FROM 'on';
BEGIN
  IF restoring THEN
    SELECT last_mockup_version INTO last_issued FROM pages WHERE id = NEW.page_id;
  ELSE
    SELECT last_mockup_version INTO last_issued FROM pages WHERE id = NEW.page_id FOR NO KEY UPDATE;
  END IF;
  IF NOT FOUND THEN
    RETURN NEW;  -- the page foreign key reports the missing page
  END IF;
  IF NEW.version IS NULL THEN
    IF restoring THEN
      RAISE EXCEPTION 'a restored mockup of page % has no version number', NEW.page_id
        USING ERRCODE = 'not_null_violation', COLUMN = 'version';
    END IF;
    NEW.version := last_issued + 1;
  ELSIF NEW.version < 1 THEN
    RETURN NEW;  -- valid_mockup_version reports it
  ELSIF NEW.version <= last_issued THEN
    RAISE EXCEPTION 'version % of page % was already used (the page has issued versions up to %); version numbers are never reused',
      NEW.version, NEW.page_id, last_issued
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'mockups_version_never_reused',
            HINT = format('Leave version out to get the next number (%s).', last_issued + 1);
  END IF;
  IF NOT restoring THEN
    UPDATE pages SET last_mockup_version = NEW.version WHERE id = NEW.page_id;
  END IF;
  RETURN NEW;
END $$;
