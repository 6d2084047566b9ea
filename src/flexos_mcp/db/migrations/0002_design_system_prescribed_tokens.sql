-- OURS: tokens a user prescribes (brand colours, a spacing scale...) kept apart from the tokens
-- that emerge from mockups. `design_systems.tokens` is the effective result of analysis:
-- emergent tokens, overridden by `prescribed_tokens`, overridden by `user_confirmations`.
-- Keeping the prescription in its own column means re-analysis can recompute `tokens` freely
-- without ever losing what the user decided.
ALTER TABLE design_systems ADD COLUMN prescribed_tokens JSONB NOT NULL DEFAULT '{}';
