-- Deployments and their logs (issue 6). Filled in by the deployment service.
CREATE TABLE IF NOT EXISTS deploy_placeholder (id INTEGER PRIMARY KEY);
DROP TABLE deploy_placeholder;
