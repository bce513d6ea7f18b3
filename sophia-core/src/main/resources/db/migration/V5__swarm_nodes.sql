-- Several nodes on one database: a cancel asked on one node of a run another node executes.
ALTER TABLE swarm_runs ADD COLUMN cancel_by TEXT NOT NULL DEFAULT '';
