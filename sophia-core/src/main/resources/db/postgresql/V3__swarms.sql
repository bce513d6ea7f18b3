-- Swarm runs, their step checkpoints and events, as db/migration/V3 on SQLite.

CREATE TABLE swarm_runs (
  id            TEXT PRIMARY KEY,
  graph         TEXT NOT NULL,
  status        TEXT NOT NULL,
  requested_by  TEXT NOT NULL,
  input_json    TEXT NOT NULL,
  state_json    TEXT NOT NULL,
  error         TEXT NOT NULL DEFAULT '',
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  finished_at   BIGINT,
  deadline_at   BIGINT NOT NULL,
  owner         TEXT NOT NULL DEFAULT '',
  lease_until   BIGINT NOT NULL DEFAULT 0,
  summary_json  TEXT,
  rowid         BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX swarm_runs_created ON swarm_runs (created_at);
CREATE INDEX swarm_runs_status ON swarm_runs (status, created_at);
CREATE INDEX swarm_runs_finished ON swarm_runs (finished_at) WHERE summary_json IS NULL;

CREATE TABLE swarm_steps (
  run_id        TEXT NOT NULL REFERENCES swarm_runs (id),
  step_key      TEXT NOT NULL,
  name          TEXT NOT NULL,
  status        TEXT NOT NULL,
  attempt       BIGINT NOT NULL,
  started_at    BIGINT,
  finished_at   BIGINT,
  output_json   TEXT,
  error         TEXT NOT NULL DEFAULT '',
  approval_json TEXT,
  rowid         BIGINT GENERATED ALWAYS AS IDENTITY,
  UNIQUE (run_id, step_key)
);

CREATE TABLE swarm_events (
  run_id        TEXT NOT NULL,
  seq           BIGINT NOT NULL,
  type          TEXT NOT NULL,
  step          TEXT NOT NULL,
  data_json     TEXT NOT NULL,
  at            BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
