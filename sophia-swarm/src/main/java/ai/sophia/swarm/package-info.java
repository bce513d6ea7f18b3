/**
 * Swarms: the durable graph engine (steps, edges, routing, fan-out with reducers, bounded loops;
 * every step committed to the store, resumed after a crash) and the coordinator that runs agents on
 * it (task analysis, assignment, parallel execution, aggregation, quality check).
 */
package ai.sophia.swarm;
