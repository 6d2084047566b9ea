-- OURS: operator-grade tokens for the HTTP transport.
-- expires_at: a token past it is refused (401) like a revoked one; NULL never expires.
-- read_only: a token that may call only read-only tools (a writing tool is refused with a message).
-- last_used_at is no longer written on every request: the server records it at most once a
-- minute per token, off the request path, so a read request does not write.
ALTER TABLE api_tokens
  ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT false;
