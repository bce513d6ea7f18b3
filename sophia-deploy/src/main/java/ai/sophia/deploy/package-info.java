/**
 * Deployments: targets (Fly.io Machines, a local process, an operator's command), health checks,
 * rollback, the deployment record with its logs, and the {@code deploy} tool agents use.
 */
package ai.sophia.deploy;
