-- Wizard runs and the thinking chain (issue 8).

-- The person's brief a run started from, when the current phase was entered (so phase_history
-- can record exact entered/left times), and why a run was paused, failed or abandoned.
ALTER TABLE wizard_runs
  ADD COLUMN brief TEXT,
  ADD COLUMN phase_entered_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN status_note TEXT;
UPDATE wizard_runs SET phase_entered_at = started_at WHERE phase_entered_at IS NULL;
ALTER TABLE wizard_runs ALTER COLUMN phase_entered_at SET DEFAULT NOW();
CREATE INDEX idx_wizard_runs_project_started ON wizard_runs(project_id, started_at DESC, id DESC);

-- A question thought may name the wizard ask key its answer fills (answers[ask_key]).
ALTER TABLE ai_thinking_chain ADD COLUMN ask_key VARCHAR(100);
CREATE INDEX idx_thinking_run_created ON ai_thinking_chain(wizard_run_id, created_at, id);
CREATE INDEX idx_thinking_open_questions ON ai_thinking_chain(project_id) WHERE needs_answer;

-- FIX (defect 8): leads_to is the exact mirror of depends_on, kept by the database itself, so it
-- holds however rows are written (a tool, a batch, a script). After every statement that inserts
-- thoughts or changes depends_on, the leads_to of every thought whose dependents may have changed
-- is recomputed from depends_on (GIN index). Deletes are covered by flexos_forget_deleted_thoughts,
-- whose UPDATE of depends_on lands here too.
CREATE FUNCTION flexos_thoughts_mirror(affected UUID[]) RETURNS void LANGUAGE sql AS $$
  UPDATE ai_thinking_chain t
     SET leads_to = ARRAY(SELECT d.id FROM ai_thinking_chain d
                           WHERE d.depends_on @> ARRAY[t.id]
                           ORDER BY d.created_at, d.id)
   WHERE t.id = ANY(affected)
$$;

CREATE FUNCTION flexos_thoughts_mirror_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  affected UUID[];
BEGIN
  SELECT array_agg(DISTINCT x) INTO affected
    FROM (SELECT unnest(depends_on) FROM fresh
          UNION ALL
          SELECT id FROM fresh WHERE leads_to <> '{}') AS s(x);
  IF affected IS NOT NULL THEN
    PERFORM flexos_thoughts_mirror(affected);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ai_thinking_chain_mirror_insert AFTER INSERT ON ai_thinking_chain
  REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION flexos_thoughts_mirror_inserted();

CREATE FUNCTION flexos_thoughts_mirror_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  affected UUID[];
BEGIN
  -- Only rows whose depends_on changed matter; the recomputation below is itself an UPDATE that
  -- fires this trigger again, and stops here because it changes no depends_on.
  WITH changed AS (
    SELECT o.depends_on AS old_deps, n.depends_on AS new_deps
      FROM before o JOIN after n USING (id)
     WHERE o.depends_on IS DISTINCT FROM n.depends_on)
  SELECT array_agg(DISTINCT x) INTO affected
    FROM (SELECT unnest(old_deps) FROM changed
          UNION ALL
          SELECT unnest(new_deps) FROM changed) AS s(x)
   WHERE x IS NOT NULL;
  IF affected IS NOT NULL THEN
    PERFORM flexos_thoughts_mirror(affected);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ai_thinking_chain_mirror_update AFTER UPDATE ON ai_thinking_chain
  REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT
  EXECUTE FUNCTION flexos_thoughts_mirror_updated();
