-- FIX (defect 8) for every writer: `depends_on` never forms a cycle, however the row is written
-- (a tool, a batch, a script, a person with psql). The tools keep their own check, which names the
-- whole cycle in its refusal; this trigger is the backstop that holds without them.
--
-- A new edge "T depends on D" closes a cycle exactly when D already rests on T, i.e. when D is
-- among T's descendants (the thoughts whose depends_on reaches T). So the walk goes DOWN from T,
-- through the GIN index on depends_on (`depends_on @> ARRAY[x]`), and stops at the first hit:
-- * a new thought has no descendants (nothing can name an id that did not exist), so logging one
--   costs one index probe however deep the chain above it is;
-- * a relink walks only what rests on the thought being changed.
-- Removing dependencies never closes a cycle: only added ids are checked.
--
-- Concurrency: two transactions could each add one half of a cycle without seeing the other's
-- uncommitted row. Every change that adds edges first takes a transaction-scoped advisory lock per
-- project (the same key domain/thinking.py takes), so those changes are serialised per project, and
-- under READ COMMITTED (the server's level) the walk, run after the lock, sees the other's commit.
CREATE FUNCTION flexos_thoughts_acyclic() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added UUID[];
  closing UUID;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
    added := ARRAY(SELECT unnest(NEW.depends_on) EXCEPT SELECT unnest(OLD.depends_on));
  ELSE
    added := NEW.depends_on;
  END IF;
  IF added IS NULL OR cardinality(added) = 0 THEN
    RETURN NEW;
  END IF;
  IF NEW.id = ANY(added) THEN
    RAISE EXCEPTION 'thought % cannot depend on itself', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'thoughts_depends_on_acyclic';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('flexos-thoughts:' || NEW.project_id::text, 0));
  -- The common case, always so for a new thought: nothing rests on it, one index probe.
  SELECT t.id INTO closing FROM ai_thinking_chain t WHERE t.depends_on @> ARRAY[NEW.id];
  IF closing IS NULL THEN
    RETURN NEW;
  END IF;
  -- Something rests on it: walk everything below. EXECUTE plans the walk for these very ids, so
  -- every level is an index probe (a cached generic plan may pick a sequential scan instead).
  EXECUTE 'WITH RECURSIVE below(id) AS (
             SELECT t.id FROM ai_thinking_chain t WHERE t.depends_on @> ARRAY[$1]
             UNION
             SELECT t.id FROM ai_thinking_chain t JOIN below b ON t.depends_on @> ARRAY[b.id])
           SELECT id FROM below WHERE id = ANY($2)'
    INTO closing USING NEW.id, added;
  IF closing IS NOT NULL THEN
    RAISE EXCEPTION 'thought % cannot depend on thought %: % already rests on %, directly or through other thoughts, so this would make a dependency cycle',
      NEW.id, closing, closing, NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'thoughts_depends_on_acyclic',
            HINT = 'A thought may depend only on thoughts that do not rest on it; remove that id from depends_on.';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER thoughts_acyclic BEFORE INSERT OR UPDATE OF depends_on, id ON ai_thinking_chain
  FOR EACH ROW EXECUTE FUNCTION flexos_thoughts_acyclic();
