-- LLM-driven wizard runs (issue 9): what the model used, and the transcript a run resumes from.

-- Usage of the model that drives a run, summed over every model turn (all attempts, all resumes).
-- Sampling through an MCP client reports no token counts: its turns count in model_turns only.
ALTER TABLE wizard_runs
  ADD COLUMN driver_backend VARCHAR(20),
  ADD COLUMN driver_model VARCHAR(100),
  ADD COLUMN input_tokens BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN output_tokens BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN model_turns INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0,
  ADD CONSTRAINT valid_driver_backend CHECK (driver_backend IN ('anthropic', 'sampling'));

-- The transcript of a driven run, one row per step, in order:
--   user       a message to the model (the opening message, an answer the person gave, a nudge);
--   assistant  one model turn: its content blocks (text, tool_use) and usage;
--   tool       one tool call the model asked for: tool_use_id, name, input (content) and result;
--   driver     a call the driver made itself (a thought recording model text or a tool step).
-- A writing tool call's row is inserted inside the tool's own transaction (tool_result still
-- NULL), so "the call's effects were committed" and "the call is recorded" cannot disagree: on
-- resume, a tool_use_id that has a row is never executed again.
CREATE TABLE wizard_run_steps (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id UUID NOT NULL,
  project_id UUID NOT NULL,
  step_index INTEGER NOT NULL,
  role VARCHAR(20) NOT NULL,
  content JSONB NOT NULL,
  tool_use_id VARCHAR(200),
  tool_name VARCHAR(100),
  tool_result JSONB,
  -- The thinking-chain entry this step produced (model text, a tool step, a thought the model logged).
  thought_id UUID REFERENCES ai_thinking_chain(id) ON DELETE SET NULL,
  model VARCHAR(100),
  input_tokens INTEGER,
  output_tokens INTEGER,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),

  CONSTRAINT wizard_run_steps_run_fkey FOREIGN KEY (run_id, project_id)
    REFERENCES wizard_runs(id, project_id) ON DELETE CASCADE,
  CONSTRAINT wizard_run_steps_index_key UNIQUE (run_id, step_index),
  CONSTRAINT wizard_run_steps_tool_use_key UNIQUE (run_id, tool_use_id),
  CONSTRAINT valid_step_role CHECK (role IN ('user', 'assistant', 'tool', 'driver')),
  CONSTRAINT valid_step_index CHECK (step_index >= 0),
  CONSTRAINT tool_steps_are_named CHECK (role NOT IN ('tool', 'driver') OR (tool_use_id IS NOT NULL AND tool_name IS NOT NULL))
);
CREATE INDEX idx_wizard_run_steps_project ON wizard_run_steps(project_id);
