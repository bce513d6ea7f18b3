-- Agent runs outside swarms survive a restart and move between nodes: the node running one holds
-- a lease on it (renewed every third of swarm.lease_ms); another node, or the same one restarted,
-- takes over an unfinished run whose lease expired or whose process is gone, and goes on from its
-- transcript. A run from before this version has no owner and is taken over at the first sweep.
ALTER TABLE agent_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_runs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
-- What the request authorized, its idempotency key and its depth: what a resumed run needs again.
ALTER TABLE agent_runs ADD COLUMN request_json TEXT NOT NULL DEFAULT '{}';
-- A cancel asked on a node that is not running the run; its owner applies it.
ALTER TABLE agent_runs ADD COLUMN cancel_by TEXT NOT NULL DEFAULT '';
-- The run's trace (OpenTelemetry), when tracing was on: shown with the run after it left memory.
ALTER TABLE agent_runs ADD COLUMN trace_id TEXT NOT NULL DEFAULT '';
CREATE INDEX agent_runs_unfinished ON agent_runs (status, lease_until);
