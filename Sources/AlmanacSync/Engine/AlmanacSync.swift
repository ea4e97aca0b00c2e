import AlmanacCore

/// The sync engine: state store, planner, applier, schedule. It imports no connector and does
/// no network or ODBC I/O; connectors are handed to it through the `Connector` contract.
public enum AlmanacSync {}
