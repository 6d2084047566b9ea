-- OURS: deleting a thought removes its id from other thoughts' leads_to (the statement trigger
-- flexos_forget_deleted_ids). depends_on had a GIN index for that lookup; leads_to had none, so
-- every delete scanned every thought in the database.
CREATE INDEX idx_thinking_leads_to ON ai_thinking_chain USING GIN(leads_to) WITH (fastupdate = off);
