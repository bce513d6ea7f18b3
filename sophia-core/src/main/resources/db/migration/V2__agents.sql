-- Models and agents: what every model call cost, agent sessions and their conversations, agent
-- runs with their transcripts, and approvals of risky tool calls.

CREATE TABLE model_usage (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded_at    INTEGER NOT NULL,
  day            TEXT NOT NULL,            -- UTC date, yyyy-mm-dd: budgets are per key per day
  api_key_id     TEXT NOT NULL,            -- '' for calls no API key asked for (the CLI)
  agent          TEXT NOT NULL,            -- '' outside an agent (research answers)
  model          TEXT NOT NULL,            -- provider:model
  outcome        TEXT NOT NULL,            -- ok, error, timeout, rate_limited
  input_tokens   INTEGER NOT NULL,
  output_tokens  INTEGER NOT NULL,
  cost_usd       REAL NOT NULL,
  latency_ms     INTEGER NOT NULL
);
CREATE INDEX model_usage_key_day ON model_usage (api_key_id, day);
CREATE INDEX model_usage_recorded_at ON model_usage (recorded_at);

CREATE TABLE agent_sessions (
  id           TEXT PRIMARY KEY,
  agent        TEXT NOT NULL,
  api_key_id   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE conversation_history (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id   TEXT NOT NULL REFERENCES agent_sessions (id),
  role         TEXT NOT NULL,              -- user, assistant
  content      TEXT NOT NULL,
  tokens       INTEGER NOT NULL,
  created_at   INTEGER NOT NULL
);
CREATE INDEX conversation_history_session ON conversation_history (session_id, id);

CREATE TABLE agent_runs (
  id               TEXT PRIMARY KEY,
  agent            TEXT NOT NULL,
  session_id       TEXT,
  api_key_id       TEXT NOT NULL,
  status           TEXT NOT NULL,          -- running, waiting_approval, succeeded, failed, cancelled, timed_out
  mode             TEXT NOT NULL,          -- model, offline
  input            TEXT NOT NULL,
  output           TEXT,
  transcript_json  TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX agent_runs_created_at ON agent_runs (created_at);

CREATE TABLE approvals (
  id              TEXT PRIMARY KEY,
  run_id          TEXT NOT NULL,
  agent           TEXT NOT NULL,
  tool            TEXT NOT NULL,
  risk            TEXT NOT NULL,           -- write, deploy
  arguments_json  TEXT NOT NULL,
  status          TEXT NOT NULL,           -- pending, granted, denied
  requested_at    INTEGER NOT NULL,
  decided_at      INTEGER,
  decided_by      TEXT,                    -- API key id of the person who decided
  reason          TEXT
);
CREATE INDEX approvals_status ON approvals (status, requested_at);
