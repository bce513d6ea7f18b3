-- Deployments and their events, as db/migration/V4 on SQLite.

CREATE TABLE deployments (
  id                TEXT COLLATE "C" PRIMARY KEY,  -- byte order, as SQLite: it breaks ties
  target            TEXT NOT NULL,
  target_type       TEXT NOT NULL,
  environment       TEXT NOT NULL,
  strategy          TEXT NOT NULL,
  version           TEXT NOT NULL,
  previous_version  TEXT NOT NULL,
  requested_by      TEXT NOT NULL,
  status            TEXT NOT NULL,
  detail            TEXT NOT NULL,
  url               TEXT NOT NULL,
  idempotency_key   TEXT NOT NULL,
  rollback_of       TEXT NOT NULL,
  owner             TEXT NOT NULL,
  pid               BIGINT NOT NULL,
  pid_started_at    BIGINT NOT NULL,
  port              BIGINT NOT NULL,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  finished_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX deployments_idempotency ON deployments (idempotency_key)
  WHERE idempotency_key <> '';
-- At most one unfinished deployment per target, across every node sharing the database.
CREATE UNIQUE INDEX deployments_one_active ON deployments (target)
  WHERE status IN ('requested', 'running');
CREATE INDEX deployments_target_created ON deployments (target, created_at);
CREATE INDEX deployments_created ON deployments (created_at);

CREATE TABLE deployment_events (
  deployment_id  TEXT NOT NULL REFERENCES deployments (id),
  seq            BIGINT NOT NULL,
  at             BIGINT NOT NULL,
  kind           TEXT NOT NULL,
  text           TEXT NOT NULL,
  detail         TEXT NOT NULL,
  PRIMARY KEY (deployment_id, seq)
);
