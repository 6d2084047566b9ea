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
-- holds however rows are written (a tool, a batch, a script); no caller writes it. Statement-level
-- triggers, so a batch costs one pass:
-- * INSERT appends each new thought's id to the leads_to of the thoughts it depends on (primary-key
--   updates; a new thought has no dependents except later rows of the same statement);
-- * UPDATE of depends_on recomputes leads_to of every thought that gained or lost a dependent
--   (GIN lookups; rare: a relink). Deletes are handled by the ai_thinking_chain_forget_* triggers.
CREATE FUNCTION flexos_thoughts_mirror(affected UUID[]) RETURNS void LANGUAGE sql AS $$
  UPDATE ai_thinking_chain t
     SET leads_to = ARRAY(SELECT d.id FROM ai_thinking_chain d
                           WHERE d.depends_on @> ARRAY[t.id]
                           ORDER BY d.created_at, d.id)
   WHERE t.id = ANY(affected)
$$;

CREATE FUNCTION flexos_thoughts_mirror_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A new row's leads_to starts empty whatever the INSERT said.
  IF EXISTS (SELECT 1 FROM fresh WHERE leads_to <> '{}') THEN
    UPDATE ai_thinking_chain t SET leads_to = '{}' FROM fresh f WHERE t.id = f.id AND f.leads_to <> '{}';
  END IF;
  UPDATE ai_thinking_chain t
     SET leads_to = t.leads_to || x.dependents
    FROM (SELECT d.dep, array_agg(f.id ORDER BY f.created_at, f.id) AS dependents
            FROM fresh f CROSS JOIN LATERAL unnest(f.depends_on) AS d(dep)
           GROUP BY d.dep) AS x
   WHERE t.id = x.dep;
  RETURN NULL;
END $$;
CREATE TRIGGER ai_thinking_chain_mirror_insert AFTER INSERT ON ai_thinking_chain
  REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION flexos_thoughts_mirror_inserted();

CREATE FUNCTION flexos_thoughts_mirror_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  affected UUID[];
BEGIN
  -- Updates made by triggers keep the mirror themselves: these triggers touch only leads_to, and
  -- the ai_thinking_chain_forget_* triggers remove a deleted id from depends_on and leads_to alike.
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  -- Only rows whose depends_on changed matter.
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

-- The recomputation searches depends_on through its GIN index; without a pending list, a search
-- never has to scan thousands of not-yet-merged entries.
ALTER INDEX idx_thinking_depends_on SET (fastupdate = off);
