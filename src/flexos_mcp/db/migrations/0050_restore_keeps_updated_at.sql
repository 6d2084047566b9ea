-- OURS: a project bundle restores rows exactly as they were exported (`flexos-mcp import`).
-- Saving a mockup bumps its page's version counter (0010), and the import puts deferred columns
-- (a page's parent, its counter) back with an UPDATE; both would stamp `updated_at` with the
-- import's time. A transaction that restores rows says so with `SET LOCAL flexos.keep_updated_at
-- = 'on'`, and then `updated_at` keeps the value the row has (or the UPDATE gives). Any other
-- writer is unchanged: the setting is unset, and every UPDATE stamps NOW() as before.
CREATE OR REPLACE FUNCTION flexos_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('flexos.keep_updated_at', true) IS DISTINCT FROM 'on' THEN
    NEW.updated_at := NOW();
  END IF;
  RETURN NEW;
END $$;
