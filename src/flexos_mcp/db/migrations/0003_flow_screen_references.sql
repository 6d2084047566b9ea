-- FIX (defect 7) for JSONB: a screen node names its page and mockup inside `flow_nodes.data`
-- (`data.page_id`, `data.mockup_id`), where no foreign key can reach. The server checks them on
-- write (exist, same project); these triggers remove them when the page or mockup is deleted,
-- however it is deleted (a tool, a cascade from a page to its mockups, plain SQL), from the node
-- row AND from the same node's data in the flow's stored VueFlow canvas, so the two never
-- disagree. Statement-level: a bulk delete is one pass.

-- Removes `data.<ref_key>` from screen nodes whose value is one of `gone_ids`, in the projects
-- `project_ids`, and from the matching nodes of each flow's canvas_state (UUIDs compared in any
-- letter case, as the server accepts them). Returns what it removed
-- (also used by the flows domain to report the clean-up before a delete).
CREATE FUNCTION flexos_forget_screen_references(ref_key text, gone_ids uuid[], project_ids uuid[])
RETURNS TABLE (flow_id uuid, node_id uuid, canvas_node_id text, field text, removed_id uuid)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  gone_text text[] := ARRAY(SELECT g::text FROM unnest(gone_ids) g);
BEGIN
  IF ref_key NOT IN ('page_id', 'mockup_id') THEN
    RAISE EXCEPTION 'flexos_forget_screen_references: unknown key %', ref_key;
  END IF;
  RETURN QUERY
  WITH old AS (
    SELECT n.id, n.flow_id, n.canvas_node_id::text AS canvas_node_id, (n.data->>ref_key)::uuid AS removed
      FROM flow_nodes n
     WHERE n.project_id = ANY(project_ids)
       AND n.node_type = 'screen'
       AND lower(n.data->>ref_key) = ANY(gone_text)
  ), hit AS (
    UPDATE flow_nodes n SET data = n.data - ref_key FROM old o WHERE n.id = o.id RETURNING n.id
  ), by_flow AS (
    SELECT o.flow_id, array_agg(o.canvas_node_id) AS node_ids FROM old o GROUP BY o.flow_id
  ), canvases AS (
    UPDATE journey_flows f
       SET canvas_state = jsonb_set(f.canvas_state, '{nodes}', (
             SELECT COALESCE(jsonb_agg(
                      CASE WHEN e.node->>'id' = ANY(b.node_ids)
                                AND jsonb_typeof(e.node->'data') = 'object'
                                AND lower(e.node->'data'->>ref_key) = ANY(gone_text)
                           THEN jsonb_set(e.node, '{data}', (e.node->'data') - ref_key)
                           ELSE e.node END
                      ORDER BY e.ord), '[]'::jsonb)
               FROM jsonb_array_elements(f.canvas_state->'nodes') WITH ORDINALITY AS e(node, ord)))
      FROM by_flow b
     WHERE f.id = b.flow_id
       AND jsonb_typeof(f.canvas_state) = 'object'
       AND jsonb_typeof(f.canvas_state->'nodes') = 'array'
    RETURNING f.id
  )
  -- Data-modifying WITH parts run to completion whether or not this SELECT reads them.
  SELECT o.flow_id, o.id, o.canvas_node_id, 'data.' || ref_key, o.removed
    FROM old o
   ORDER BY o.flow_id, o.canvas_node_id;
END $$;

CREATE FUNCTION flexos_forget_deleted_pages_in_flows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flexos_forget_screen_references('page_id',
    ARRAY(SELECT id FROM gone), ARRAY(SELECT DISTINCT project_id FROM gone));
  RETURN NULL;
END $$;
CREATE TRIGGER pages_forget_in_flows AFTER DELETE ON pages REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_forget_deleted_pages_in_flows();

CREATE FUNCTION flexos_forget_deleted_mockups_in_flows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flexos_forget_screen_references('mockup_id',
    ARRAY(SELECT id FROM gone), ARRAY(SELECT DISTINCT project_id FROM gone));
  RETURN NULL;
END $$;
CREATE TRIGGER mockups_forget_in_flows AFTER DELETE ON mockups REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_forget_deleted_mockups_in_flows();
