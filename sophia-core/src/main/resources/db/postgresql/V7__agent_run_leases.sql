-- Agent runs outside swarms survive a restart and move between nodes, as db/migration/V7 on
-- SQLite: the lease of the node running one, what its request authorized, and a cancel asked on
-- another node.
ALTER TABLE agent_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_runs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agent_runs ADD COLUMN request_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE agent_runs ADD COLUMN cancel_by TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_runs ADD COLUMN trace_id TEXT NOT NULL DEFAULT '';
CREATE INDEX agent_runs_unfinished ON agent_runs (status, lease_until);
