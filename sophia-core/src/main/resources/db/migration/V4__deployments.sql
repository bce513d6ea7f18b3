-- Deployments (issue 6): one row per deployment, and its events in order (log lines and status
-- changes; the status changes are its timeline).

CREATE TABLE deployments (
  id                TEXT PRIMARY KEY,          -- deploy-<8 hex>
  target            TEXT NOT NULL,
  target_type       TEXT NOT NULL,             -- fly, local, command
  environment       TEXT NOT NULL,
  strategy          TEXT NOT NULL,
  version           TEXT NOT NULL,             -- image, or what the command was given; '' for none
  previous_version  TEXT NOT NULL,
  requested_by      TEXT NOT NULL,
  status            TEXT NOT NULL,             -- requested, running, healthy, rolled_back, failed
  detail            TEXT NOT NULL,
  url               TEXT NOT NULL,
  idempotency_key   TEXT NOT NULL,             -- '' when the caller gave none
  rollback_of       TEXT NOT NULL,             -- the deployment this one undoes; '' for none
  owner             TEXT NOT NULL,             -- pid@start of the process running it
  pid               INTEGER NOT NULL,          -- local: the service's process; 0 otherwise
  pid_started_at    INTEGER NOT NULL,          -- its start time, so a reused pid is not mistaken
  port              INTEGER NOT NULL,          -- local: the port it listens on; 0 otherwise
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  finished_at       INTEGER NOT NULL           -- 0 while unfinished
);
CREATE UNIQUE INDEX deployments_idempotency ON deployments (idempotency_key)
  WHERE idempotency_key <> '';
-- At most one unfinished deployment per target, across every process sharing the database.
CREATE UNIQUE INDEX deployments_one_active ON deployments (target)
  WHERE status IN ('requested', 'running');
CREATE INDEX deployments_target_created ON deployments (target, created_at);
CREATE INDEX deployments_created ON deployments (created_at);

CREATE TABLE deployment_events (
  deployment_id  TEXT NOT NULL REFERENCES deployments (id),
  seq            INTEGER NOT NULL,             -- from 1, the SSE event id
  at             INTEGER NOT NULL,
  kind           TEXT NOT NULL,                -- log, status
  text           TEXT NOT NULL,                -- the line, or the new status
  detail         TEXT NOT NULL,                -- for a status: why
  PRIMARY KEY (deployment_id, seq)
);
