-- Swarm runs (issue 4): one row per run, its step checkpoints and its events. A run row is written
-- before the run's first step; each step's result, the state after it and its events are
-- committed in one transaction. Retention deletes steps and events of old finished runs and keeps
-- the run row with summary_json.

CREATE TABLE swarm_runs (
  id            TEXT PRIMARY KEY,          -- swarm-<hex>
  graph         TEXT NOT NULL,             -- the registered graph it runs
  status        TEXT NOT NULL,             -- pending, running, waiting_approval, succeeded, failed, cancelled, timed_out
  requested_by  TEXT NOT NULL,             -- API key id; '' from the CLI
  input_json    TEXT NOT NULL,
  state_json    TEXT NOT NULL,             -- the state after the last committed step
  error         TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  finished_at   INTEGER,
  deadline_at   INTEGER NOT NULL,
  owner         TEXT NOT NULL DEFAULT '',  -- the engine running it: host/pid/random
  lease_until   INTEGER NOT NULL DEFAULT 0,
  summary_json  TEXT                       -- set by retention: what the deleted steps were
);
CREATE INDEX swarm_runs_created ON swarm_runs (created_at);
CREATE INDEX swarm_runs_status ON swarm_runs (status, created_at);
CREATE INDEX swarm_runs_finished ON swarm_runs (finished_at) WHERE summary_json IS NULL;

CREATE TABLE swarm_steps (
  run_id        TEXT NOT NULL REFERENCES swarm_runs (id),
  step_key      TEXT NOT NULL,             -- name, name[i] (fan-out branch), name#n (n-th visit)
  name          TEXT NOT NULL,
  status        TEXT NOT NULL,             -- running, waiting_approval, succeeded, failed, skipped, cancelled
  attempt       INTEGER NOT NULL,
  started_at    INTEGER,
  finished_at   INTEGER,
  output_json   TEXT,
  error         TEXT NOT NULL DEFAULT '',
  approval_json TEXT,                      -- {granted, by, reason, at} once a person decided
  UNIQUE (run_id, step_key)
);

CREATE TABLE swarm_events (
  run_id        TEXT NOT NULL,
  seq           INTEGER NOT NULL,          -- 1, 2, … per run without gaps: the SSE id
  type          TEXT NOT NULL,
  step          TEXT NOT NULL,
  data_json     TEXT NOT NULL,
  at            INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
