-- The events of agent runs outside swarms, numbered 1, 2, … per run without gaps (the SSE id), so
-- that a client of any node follows a run wherever it runs and resumes with Last-Event-ID. The node
-- running a run writes them a moment after it delivers them to its own listeners; they are deleted
-- swarm.retention_days after the run finished (its transcript in agent_runs stays).
CREATE TABLE agent_run_events (
  run_id        TEXT NOT NULL,
  seq           INTEGER NOT NULL,
  type          TEXT NOT NULL,
  data_json     TEXT NOT NULL,             -- sealed when encryption at rest is on
  at            INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
