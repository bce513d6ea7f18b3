-- The events of agent runs outside swarms, as db/migration/V10 on SQLite: numbered per run without
-- gaps, followed from any node, deleted swarm.retention_days after the run finished.
CREATE TABLE agent_run_events (
  run_id        TEXT NOT NULL,
  seq           BIGINT NOT NULL,
  type          TEXT NOT NULL,
  data_json     TEXT NOT NULL,
  at            BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
