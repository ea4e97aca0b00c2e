import AlmanacCore
import AlmanacWire

/// The daemon side: worker pool, restart policy, profile watcher, control API, metrics.
public enum AlmanacSupervisor {}
