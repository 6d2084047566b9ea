-- FlexOS MCP database schema (PostgreSQL 15 or newer).
--
-- This is the seed's schema (shared/seed/flexos-database-schema.md) with its SQL defects fixed.
-- Every departure from the seed is marked "FIX (defect N)" or "OURS" where it is made:
--   FIX  — the seed's SQL is wrong or unsafe as written (numbers follow DESIGN.md).
--   OURS — something the server needs that the seed does not describe.
--
-- Applied by `flexos-mcp migrate` (and on every server start) as migration 1, under an advisory
-- lock, so two servers starting at the same moment apply it once.

-- gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed.

-- OURS: which migrations have been applied to this database.
CREATE TABLE flexos_schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

-- FIX (defect 6): the seed never maintains updated_at. One trigger function serves every table.
CREATE FUNCTION flexos_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := NOW();
  RETURN NEW;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Projects and Users
-- ---------------------------------------------------------------------------------------------

CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email VARCHAR(255) UNIQUE NOT NULL,
  username VARCHAR(100) UNIQUE,
  full_name VARCHAR(255),
  avatar_url TEXT,
  role VARCHAR(50) DEFAULT 'user',
  settings JSONB DEFAULT '{}',
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  -- OURS: the server's roles; 'admin' sees every project.
  CONSTRAINT valid_user_role CHECK (role IN ('user', 'admin'))
);

CREATE TABLE projects (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- OURS: NOT NULL, every project has an owner
  name VARCHAR(255) NOT NULL,
  -- FIX (tenancy): the seed makes slug UNIQUE across all users, so one user's slug would block
  -- (and reveal) another's. Unique per owner instead (constraint projects_user_slug_key below).
  slug VARCHAR(255) NOT NULL,
  description TEXT,
  type VARCHAR(50) NOT NULL, -- web-app|mobile-app|pwa|api|fullstack
  status VARCHAR(50) DEFAULT 'active', -- active|archived|template

  -- Vision and goals
  vision_statement TEXT,
  target_feeling VARCHAR(100), -- professional|playful|minimal|bold
  reference_apps TEXT[], -- ["Pinterest", "Notion"]

  -- Visual identity
  icon VARCHAR(50),
  color VARCHAR(7), -- Hex color for project card

  -- Metadata
  settings JSONB DEFAULT '{}',
  metadata JSONB DEFAULT '{}',

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  last_opened_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  CONSTRAINT projects_user_slug_key UNIQUE (user_id, slug),
  -- OURS: the enumerations the seed only states in comments.
  CONSTRAINT valid_project_status CHECK (status IN ('active', 'archived', 'template')),
  CONSTRAINT valid_project_color CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
  CONSTRAINT valid_project_slug CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);

CREATE INDEX idx_projects_user_id ON projects(user_id);
CREATE INDEX idx_projects_status ON projects(status);

-- ---------------------------------------------------------------------------------------------
-- Design System
-- ---------------------------------------------------------------------------------------------

CREATE TABLE design_systems (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- FIX (defect 8): nothing in the seed keeps one design system per project.
  project_id UUID NOT NULL UNIQUE REFERENCES projects(id) ON DELETE CASCADE,
  generation_method VARCHAR(50), -- prescribed|emergent|hybrid

  tokens JSONB DEFAULT '{}',
  component_patterns JSONB DEFAULT '{}',
  confidence_scores JSONB DEFAULT '{}',
  user_confirmations JSONB DEFAULT '{}',

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  CONSTRAINT valid_generation_method CHECK (generation_method IN ('prescribed', 'emergent', 'hybrid'))
);

-- ---------------------------------------------------------------------------------------------
-- Pages and Mockups
-- ---------------------------------------------------------------------------------------------

CREATE TABLE pages (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  -- FIX (defect 5): the seed's parent_id has no ON DELETE rule and may point into another
  -- project. The composite key below keeps the parent in the same project; deleting a parent
  -- makes its children top-level pages rather than failing or silently deleting them.
  parent_id UUID,

  name VARCHAR(255) NOT NULL,
  slug VARCHAR(255) NOT NULL,
  path VARCHAR(500), -- URL path like /dashboard/settings
  type VARCHAR(50) DEFAULT 'page', -- page|layout|component|modal

  purpose TEXT,
  primary_device VARCHAR(50) DEFAULT 'responsive', -- mobile|tablet|desktop|responsive

  current_mockup_id UUID,  -- FIX (defect 4): foreign key added after mockups exists
  status VARCHAR(50) DEFAULT 'draft', -- draft|designed|approved|built

  key_elements JSONB DEFAULT '[]',
  related_patterns JSONB DEFAULT '[]',
  usage_contexts JSONB DEFAULT '[]',

  sort_order INTEGER DEFAULT 0,
  is_placeholder BOOLEAN DEFAULT FALSE,
  wizard_generated BOOLEAN DEFAULT FALSE,

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  UNIQUE(project_id, path),
  CONSTRAINT pages_project_slug_key UNIQUE (project_id, slug),  -- OURS: slugs name pages in URIs
  CONSTRAINT pages_id_project_key UNIQUE (id, project_id),      -- OURS: target of composite keys
  CONSTRAINT pages_parent_fkey FOREIGN KEY (parent_id, project_id)
    REFERENCES pages(id, project_id) ON DELETE SET NULL (parent_id),
  CONSTRAINT pages_parent_not_self CHECK (parent_id IS DISTINCT FROM id),
  CONSTRAINT valid_page_type CHECK (type IN ('page', 'layout', 'component', 'modal')),
  CONSTRAINT valid_page_status CHECK (status IN ('draft', 'designed', 'approved', 'built')),
  CONSTRAINT valid_primary_device CHECK (primary_device IN ('mobile', 'tablet', 'desktop', 'responsive'))
);

CREATE INDEX idx_pages_project_id ON pages(project_id);
CREATE INDEX idx_pages_parent_id ON pages(parent_id);

-- FIX (defect 5): no page may become its own ancestor.
CREATE FUNCTION flexos_pages_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL AND EXISTS (
    WITH RECURSIVE ancestors(id) AS (
      SELECT NEW.parent_id
      UNION
      SELECT p.parent_id FROM pages p JOIN ancestors a ON p.id = a.id WHERE p.parent_id IS NOT NULL
    )
    SELECT 1 FROM ancestors WHERE id = NEW.id
  ) THEN
    RAISE EXCEPTION 'page % would become its own ancestor', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_parent_no_cycle';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER pages_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON pages
  FOR EACH ROW EXECUTE FUNCTION flexos_pages_no_cycle();

CREATE TABLE mockups (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  page_id UUID NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  -- OURS (tenancy): the project, denormalised so every row reaches its project in one step.
  -- The composite key below keeps it equal to the page's project.
  project_id UUID NOT NULL,
  version INTEGER NOT NULL,

  html_content TEXT NOT NULL,
  css_content TEXT,
  javascript_content TEXT,

  responsive_rules JSONB DEFAULT '{}',
  extracted_patterns JSONB DEFAULT '{}',
  interactions JSONB DEFAULT '[]',

  change_description TEXT,
  changed_by VARCHAR(50), -- user|ai|wizard
  -- FIX (defect 5): the seed's parent_mockup_id has no ON DELETE rule and may name a mockup of
  -- another page. Composite key below: same page; deleting the parent version clears the link.
  parent_mockup_id UUID,

  user_feedback JSONB DEFAULT '{}',
  ai_notes JSONB DEFAULT '{}',

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  UNIQUE(page_id, version),
  CONSTRAINT mockups_id_page_key UNIQUE (id, page_id),
  CONSTRAINT mockups_page_project_fkey FOREIGN KEY (page_id, project_id)
    REFERENCES pages(id, project_id) ON DELETE CASCADE,
  CONSTRAINT mockups_parent_fkey FOREIGN KEY (parent_mockup_id, page_id)
    REFERENCES mockups(id, page_id) ON DELETE SET NULL (parent_mockup_id),
  CONSTRAINT valid_mockup_version CHECK (version >= 1),
  CONSTRAINT valid_changed_by CHECK (changed_by IN ('user', 'ai', 'wizard'))
);

CREATE INDEX idx_mockups_page_id ON mockups(page_id);
CREATE INDEX idx_mockups_project_id ON mockups(project_id);  -- OURS

-- FIX (defect 4): the seed's current_mockup_id references nothing. It must name a mockup of the
-- same page; deleting that mockup clears it. Deferrable, so a page and its first mockup can be
-- created in one transaction in either order.
ALTER TABLE pages ADD CONSTRAINT pages_current_mockup_fkey
  FOREIGN KEY (current_mockup_id, id) REFERENCES mockups(id, page_id)
  ON DELETE SET NULL (current_mockup_id) DEFERRABLE INITIALLY DEFERRED;

-- ---------------------------------------------------------------------------------------------
-- Features
-- ---------------------------------------------------------------------------------------------

CREATE TABLE features (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,

  name VARCHAR(255) NOT NULL,
  user_description TEXT,
  category VARCHAR(100), -- auth|content|social|admin|payment
  status VARCHAR(50) DEFAULT 'planned', -- planned|in-progress|completed

  -- FIX (defect 7): no referential integrity in the seed. The server checks every id on write
  -- (exists, same project); the triggers below remove ids whose page or flow is deleted.
  affected_pages UUID[] DEFAULT '{}',
  required_journeys UUID[] DEFAULT '{}',

  data_operations JSONB DEFAULT '{}',
  ui_requirements JSONB DEFAULT '[]',
  business_rules JSONB DEFAULT '[]',
  technical_requirements JSONB DEFAULT '{}',

  detected_from_mockups BOOLEAN DEFAULT FALSE,
  wizard_generated BOOLEAN DEFAULT FALSE,
  visual_specifications JSONB DEFAULT '{}',

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  CONSTRAINT valid_feature_status CHECK (status IN ('planned', 'in-progress', 'completed'))
);

CREATE INDEX idx_features_project_id ON features(project_id);
CREATE INDEX idx_features_category ON features(category);

-- ---------------------------------------------------------------------------------------------
-- User Journeys and Flows
-- ---------------------------------------------------------------------------------------------

CREATE TABLE journey_flows (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,

  name VARCHAR(255) NOT NULL,
  description TEXT,
  flow_type VARCHAR(50), -- user|admin|system|error
  is_primary BOOLEAN DEFAULT FALSE,

  canvas_state JSONB NOT NULL,
  viewport JSONB DEFAULT '{}',

  filters_applied JSONB DEFAULT '{}',
  display_settings JSONB DEFAULT '{}',

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  CONSTRAINT journey_flows_id_project_key UNIQUE (id, project_id),  -- OURS
  CONSTRAINT valid_flow_type CHECK (flow_type IN ('user', 'admin', 'system', 'error'))
);

CREATE INDEX idx_journey_flows_project_id ON journey_flows(project_id);  -- OURS: the seed has none

CREATE TABLE flow_nodes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  flow_id UUID NOT NULL REFERENCES journey_flows(id) ON DELETE CASCADE,
  -- OURS (tenancy): denormalised project, kept equal to the flow's by the composite key.
  project_id UUID NOT NULL,
  -- OURS: the node's id on the VueFlow canvas (a string), stable across canvas saves.
  canvas_node_id VARCHAR(255) NOT NULL DEFAULT gen_random_uuid()::text,

  node_type VARCHAR(50) NOT NULL, -- screen|decision|annotation|database|action
  position JSONB NOT NULL,
  size JSONB DEFAULT '{}',
  data JSONB NOT NULL,
  connections JSONB DEFAULT '[]',

  locked BOOLEAN DEFAULT FALSE,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  CONSTRAINT flow_nodes_flow_project_fkey FOREIGN KEY (flow_id, project_id)
    REFERENCES journey_flows(id, project_id) ON DELETE CASCADE,
  CONSTRAINT flow_nodes_canvas_id_key UNIQUE (flow_id, canvas_node_id),
  CONSTRAINT valid_node_type CHECK (node_type IN ('screen', 'decision', 'annotation', 'database', 'action'))
);

CREATE INDEX idx_flow_nodes_flow_id ON flow_nodes(flow_id);
CREATE INDEX idx_flow_nodes_project_id ON flow_nodes(project_id);  -- OURS

-- ---------------------------------------------------------------------------------------------
-- Data Model and Entities
-- ---------------------------------------------------------------------------------------------

CREATE TABLE inferred_entities (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,

  entity_name VARCHAR(100) NOT NULL,
  plural_name VARCHAR(100),
  description TEXT,

  fields JSONB NOT NULL,
  relationships JSONB DEFAULT '[]',
  crud_locations JSONB DEFAULT '{}',

  validation_rules JSONB DEFAULT '{}',
  business_rules JSONB DEFAULT '[]',

  confidence_score FLOAT DEFAULT 0.5,
  user_confirmed BOOLEAN DEFAULT FALSE,

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  UNIQUE(project_id, entity_name),
  CONSTRAINT valid_entity_confidence CHECK (confidence_score BETWEEN 0 AND 1)
);

-- ---------------------------------------------------------------------------------------------
-- Wizard and AI Context
-- ---------------------------------------------------------------------------------------------

CREATE TABLE wizard_runs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- FIX (defect 5): the seed has no ON DELETE rule here, so a user or project with wizard runs
  -- could never be deleted. A run belongs to its project and user: cascade.
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,

  wizard_type VARCHAR(100) NOT NULL, -- page-creator|feature-builder|design-system
  wizard_version VARCHAR(20),

  status VARCHAR(50) DEFAULT 'in-progress', -- in-progress|completed|abandoned
  current_phase VARCHAR(100),
  phase_history JSONB DEFAULT '[]',

  answers JSONB DEFAULT '{}',
  decisions_made JSONB DEFAULT '[]',

  context_snapshot JSONB DEFAULT '{}',
  -- FIX (defect 7): checked on write (same project), cleaned when a context item is deleted.
  context_references UUID[] DEFAULT '{}',

  outputs JSONB DEFAULT '{}',

  started_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  completed_at TIMESTAMP WITH TIME ZONE,
  duration_seconds INTEGER,

  CONSTRAINT wizard_runs_id_project_key UNIQUE (id, project_id),  -- OURS
  CONSTRAINT valid_wizard_type CHECK (wizard_type IN ('page-creator', 'feature-builder', 'design-system')),
  -- OURS: 'paused' (waiting for an answer) and 'failed' (resumable) beside the seed's three.
  CONSTRAINT valid_wizard_status CHECK (status IN ('in-progress', 'paused', 'completed', 'abandoned', 'failed'))
);

CREATE INDEX idx_wizard_runs_project_id ON wizard_runs(project_id);  -- OURS

CREATE TABLE ai_thinking_chain (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- FIX (defect 5): cascade with the project and the run, so neither is undeletable.
  project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  wizard_run_id UUID REFERENCES wizard_runs(id) ON DELETE CASCADE,

  thought_type VARCHAR(50), -- observation|assumption|decision|question|inference
  reasoning TEXT NOT NULL,
  confidence FLOAT DEFAULT 0.5,

  source_description TEXT,
  -- FIX (defect 7, 8): checked on write (same project/run, no cycles); leads_to is kept by the
  -- server as the exact mirror of depends_on; ids of deleted thoughts are removed by trigger.
  depends_on UUID[] DEFAULT '{}',
  leads_to UUID[] DEFAULT '{}',

  is_assumption BOOLEAN DEFAULT FALSE,
  needs_answer BOOLEAN DEFAULT FALSE,
  has_alternatives BOOLEAN DEFAULT FALSE,
  alternatives JSONB DEFAULT '[]',

  status VARCHAR(50) DEFAULT 'active', -- active|revised|rejected|confirmed
  user_feedback TEXT,
  -- OURS: set when a thought this one rests on is rejected or revised.
  needs_review BOOLEAN NOT NULL DEFAULT FALSE,

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  CONSTRAINT thoughts_run_project_fkey FOREIGN KEY (wizard_run_id, project_id)
    REFERENCES wizard_runs(id, project_id) ON DELETE CASCADE,
  CONSTRAINT valid_thought_type CHECK (thought_type IN ('observation', 'assumption', 'decision', 'question', 'inference')),
  CONSTRAINT valid_thought_status CHECK (status IN ('active', 'revised', 'rejected', 'confirmed')),
  CONSTRAINT valid_thought_confidence CHECK (confidence BETWEEN 0 AND 1)
);

CREATE INDEX idx_thinking_project_id ON ai_thinking_chain(project_id, created_at);  -- OURS
CREATE INDEX idx_thinking_run_id ON ai_thinking_chain(wizard_run_id);              -- OURS
CREATE INDEX idx_thinking_depends_on ON ai_thinking_chain USING GIN(depends_on);   -- OURS

CREATE TABLE user_context_items (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,

  item_type VARCHAR(50) NOT NULL, -- screenshot|url|text|file|mockup
  content_url TEXT,
  content_text TEXT,
  content_metadata JSONB DEFAULT '{}',

  ai_analysis JSONB DEFAULT '{}',

  categories TEXT[],
  tags TEXT[],
  relevance_scores JSONB DEFAULT '{}',

  times_referenced INTEGER DEFAULT 0,
  last_referenced_at TIMESTAMP WITH TIME ZONE,
  referenced_in JSONB DEFAULT '[]',

  submitted_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
  submitted_context TEXT,

  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),

  CONSTRAINT valid_context_item_type CHECK (item_type IN ('screenshot', 'url', 'text', 'file', 'mockup'))
);

CREATE INDEX idx_user_context_items_project ON user_context_items(project_id);
CREATE INDEX idx_user_context_items_type ON user_context_items(item_type);

-- ---------------------------------------------------------------------------------------------
-- Indexes and Constraints (the seed's section)
-- ---------------------------------------------------------------------------------------------

CREATE INDEX idx_pages_current_mockup ON pages(current_mockup_id);
CREATE INDEX idx_mockups_version ON mockups(page_id, version DESC);
CREATE INDEX idx_features_affected_pages ON features USING GIN(affected_pages);
CREATE INDEX idx_entities_confidence ON inferred_entities(project_id, confidence_score DESC);

CREATE INDEX idx_pages_search ON pages USING GIN(
  to_tsvector('english', name || ' ' || COALESCE(purpose, ''))
);
CREATE INDEX idx_features_search ON features USING GIN(
  to_tsvector('english', name || ' ' || COALESCE(user_description, ''))
);
-- OURS: full-text search over the other kinds search_project covers.
CREATE INDEX idx_flows_search ON journey_flows USING GIN(
  to_tsvector('english', name || ' ' || COALESCE(description, ''))
);
CREATE INDEX idx_entities_search ON inferred_entities USING GIN(
  to_tsvector('english', entity_name || ' ' || COALESCE(description, ''))
);
CREATE INDEX idx_context_items_search ON user_context_items USING GIN(
  to_tsvector('english', COALESCE(content_text, '') || ' ' || COALESCE(submitted_context, ''))
);

CREATE INDEX idx_design_tokens ON design_systems USING GIN(tokens);
CREATE INDEX idx_entity_fields ON inferred_entities USING GIN(fields);
CREATE INDEX idx_node_data ON flow_nodes USING GIN(data);
CREATE INDEX idx_required_journeys ON features USING GIN(required_journeys);       -- OURS
CREATE INDEX idx_context_references ON wizard_runs USING GIN(context_references); -- OURS

-- FIX (defect 1): the seed's '^/[a-z0-9-/]*$' is an invalid regular expression ("invalid
-- character range" for 9-/): the ALTER succeeds on an empty table, then every INSERT fails.
-- A literal '-' goes last in a bracket expression.
ALTER TABLE pages ADD CONSTRAINT valid_path
  CHECK (path ~ '^/[a-z0-9/-]*$');
ALTER TABLE projects ADD CONSTRAINT valid_type
  CHECK (type IN ('web-app', 'mobile-app', 'pwa', 'api', 'fullstack'));

-- ---------------------------------------------------------------------------------------------
-- FIX (defect 6): updated_at maintained on every table that has it.
-- ---------------------------------------------------------------------------------------------

CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();
CREATE TRIGGER projects_touch BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();
CREATE TRIGGER design_systems_touch BEFORE UPDATE ON design_systems FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();
CREATE TRIGGER pages_touch BEFORE UPDATE ON pages FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();
CREATE TRIGGER features_touch BEFORE UPDATE ON features FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();
CREATE TRIGGER journey_flows_touch BEFORE UPDATE ON journey_flows FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();
CREATE TRIGGER flow_nodes_touch BEFORE UPDATE ON flow_nodes FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();
CREATE TRIGGER inferred_entities_touch BEFORE UPDATE ON inferred_entities FOR EACH ROW EXECUTE FUNCTION flexos_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- FIX (defect 7): ids held in UUID arrays are removed when what they name is deleted, however it
-- is deleted (a tool, a cascade from a project). Statement-level, so a bulk delete is one update.
-- ---------------------------------------------------------------------------------------------

-- One function serves every array: TG_ARGV[0] is the table holding the ids, TG_ARGV[1] its
-- UUID[] column; `gone` holds the deleted rows.
CREATE FUNCTION flexos_forget_deleted_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gone_ids UUID[];
BEGIN
  SELECT array_agg(id) INTO gone_ids FROM gone;
  EXECUTE format('UPDATE %I SET %I = ARRAY(SELECT x FROM unnest(%I) x WHERE x <> ALL ($1)) WHERE %I && $1',
                 TG_ARGV[0], TG_ARGV[1], TG_ARGV[1], TG_ARGV[1])
    USING gone_ids;
  RETURN NULL;
END $$;

CREATE TRIGGER pages_forget AFTER DELETE ON pages REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_forget_deleted_ids('features', 'affected_pages');
CREATE TRIGGER journey_flows_forget AFTER DELETE ON journey_flows REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_forget_deleted_ids('features', 'required_journeys');
CREATE TRIGGER user_context_items_forget AFTER DELETE ON user_context_items REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_forget_deleted_ids('wizard_runs', 'context_references');
CREATE TRIGGER ai_thinking_chain_forget_depends_on AFTER DELETE ON ai_thinking_chain REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_forget_deleted_ids('ai_thinking_chain', 'depends_on');
CREATE TRIGGER ai_thinking_chain_forget_leads_to AFTER DELETE ON ai_thinking_chain REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION flexos_forget_deleted_ids('ai_thinking_chain', 'leads_to');

-- ---------------------------------------------------------------------------------------------
-- OURS: bearer tokens for the Streamable HTTP transport (only a hash is stored).
-- ---------------------------------------------------------------------------------------------

CREATE TABLE api_tokens (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name VARCHAR(255) NOT NULL,
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  last_used_at TIMESTAMP WITH TIME ZONE,
  revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX idx_api_tokens_user_id ON api_tokens(user_id);
