-- OURS: seed-shaped SQL keeps working after our additions. Where we added a column that must not
-- be NULL and that follows from the row's parent, an INSERT that leaves it out gets it from the
-- parent, so the seed's own statements (e.g. "Creating a New Page":
-- `INSERT INTO mockups (page_id, version, html_content, css_content) VALUES (...)`) need no
-- knowledge of our columns:
--   mockups.project_id            <- its page's project        (denormalised for tenancy)
--   flow_nodes.project_id         <- its flow's project        (denormalised for tenancy)
--   wizard_run_steps.project_id   <- its run's project         (denormalised for tenancy)
--   ai_thinking_chain.project_id  <- its wizard run's project  (the seed allows NULL; we do not)
--   wizard_runs.user_id           <- its project's owner       (the seed allows NULL; we do not)
-- A value the writer gives is kept as it is: the composite foreign keys refuse one that disagrees
-- with the parent. Each trigger fires only when the column is NULL (its WHEN clause), so the
-- server's own inserts, which always give it, pay nothing.
--
-- BEFORE triggers fire in name order: `fill_from_parent` sorts before this schema's other BEFORE
-- triggers on these tables (`number_version`, `thoughts_acyclic`), which read the filled column.

-- TG_ARGV: [0] the column to fill, [1] the row's column naming its parent, [2] the parent table,
-- [3] the parent's column to copy. Generic, so the five rules are one function.
CREATE FUNCTION flexos_fill_from_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_id UUID;
  filled TEXT;
  found_rows INTEGER;
BEGIN
  EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO parent_id USING NEW;
  IF parent_id IS NULL THEN
    RETURN NEW;  -- nothing to fill from; NOT NULL or the foreign key says what is missing
  END IF;
  EXECUTE format('SELECT %I::text FROM %I WHERE id = $1', TG_ARGV[3], TG_ARGV[2]) INTO filled USING parent_id;
  GET DIAGNOSTICS found_rows = ROW_COUNT;  -- EXECUTE leaves FOUND alone
  IF found_rows = 0 THEN  -- say what is really missing, not that the filled column is NULL
    RAISE EXCEPTION '%.% names % row %, which does not exist', TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[2], parent_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], filled));
  RETURN NEW;
END $$;

CREATE TRIGGER fill_from_parent BEFORE INSERT ON mockups FOR EACH ROW WHEN (NEW.project_id IS NULL)
  EXECUTE FUNCTION flexos_fill_from_parent('project_id', 'page_id', 'pages', 'project_id');
CREATE TRIGGER fill_from_parent BEFORE INSERT ON flow_nodes FOR EACH ROW WHEN (NEW.project_id IS NULL)
  EXECUTE FUNCTION flexos_fill_from_parent('project_id', 'flow_id', 'journey_flows', 'project_id');
CREATE TRIGGER fill_from_parent BEFORE INSERT ON wizard_run_steps FOR EACH ROW WHEN (NEW.project_id IS NULL)
  EXECUTE FUNCTION flexos_fill_from_parent('project_id', 'run_id', 'wizard_runs', 'project_id');
CREATE TRIGGER fill_from_parent BEFORE INSERT ON ai_thinking_chain FOR EACH ROW WHEN (NEW.project_id IS NULL)
  EXECUTE FUNCTION flexos_fill_from_parent('project_id', 'wizard_run_id', 'wizard_runs', 'project_id');
CREATE TRIGGER fill_from_parent BEFORE INSERT ON wizard_runs FOR EACH ROW WHEN (NEW.user_id IS NULL)
  EXECUTE FUNCTION flexos_fill_from_parent('user_id', 'project_id', 'projects', 'user_id');
