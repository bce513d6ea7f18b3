-- Swarm runs, their steps and events (issue 4). Filled in by the swarm engine.
CREATE TABLE IF NOT EXISTS swarm_placeholder (id INTEGER PRIMARY KEY);
DROP TABLE swarm_placeholder;
