package ai.sophia.swarm;

/**
 * Where runs, their step checkpoints and events are kept ({@link SqliteSwarmStore} by default). The
 * engine is its only caller.
 */
public interface SwarmStore {}
