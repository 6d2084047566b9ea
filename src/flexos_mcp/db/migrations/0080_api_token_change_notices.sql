-- An HTTP server keeps the bearer tokens it has verified in memory (server/http_auth.py,
-- TokenCache) and listens on the channel `flexos_api_tokens`; every change that can make a cached
-- answer wrong is announced there when it commits, by whoever makes it (the CLI, a tool, or plain
-- SQL), and the servers drop what they cached about it:
--   'token:<id>'  a token was revoked, deleted, or had its expiry, access, owner or hash changed;
--   'user:<id>'   a user's email or role changed;
--   '*'           api_tokens was truncated.
-- Recording a token's last use (`last_used_at`, written by the servers themselves) announces
-- nothing. Deleting a user deletes their tokens (ON DELETE CASCADE), which announces each one.
CREATE FUNCTION flexos_announce_token_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('flexos_api_tokens', '*');
  ELSIF TG_TABLE_NAME = 'users' THEN
    PERFORM pg_notify('flexos_api_tokens', 'user:' || OLD.id::text);
  ELSE
    PERFORM pg_notify('flexos_api_tokens', 'token:' || OLD.id::text);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER api_tokens_announce_update
  AFTER UPDATE ON api_tokens
  FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
  EXECUTE FUNCTION flexos_announce_token_change();

CREATE TRIGGER api_tokens_announce_delete
  AFTER DELETE ON api_tokens
  FOR EACH ROW
  EXECUTE FUNCTION flexos_announce_token_change();

CREATE TRIGGER api_tokens_announce_truncate
  AFTER TRUNCATE ON api_tokens
  FOR EACH STATEMENT
  EXECUTE FUNCTION flexos_announce_token_change();

CREATE TRIGGER users_announce_identity_change
  AFTER UPDATE ON users
  FOR EACH ROW
  WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.role IS DISTINCT FROM NEW.role)
  EXECUTE FUNCTION flexos_announce_token_change();
