import AlmanacCore

/// The sync engine: state store, planner, applier, schedule. It imports no connector and does
/// no network or ODBC I/O; connectors are handed to it through the `Connector` contract.
///
/// A run (`SyncEngine.run`) reads both sides (`SideReader`: a delta from the stored cursor when
/// the connector has a change feed, else the window chunk by chunk), plans against the state
/// (`Planner`: each side compared with its stored hash and the base, never side with side),
/// checks the mass-delete guard, then applies in batches (`Applier`) and stores the cursors.
///
/// Decisions worth knowing (ARCHITECTURE.md §5 leaves them open):
/// - **Content hashes** (`ContentProjection`, `ContentHash`) cover the fields both connectors
///   declare in `Connector.fields`, normalised; they are 128-bit non-cryptographic hashes (fast
///   enough to hash every item of both sides on every run). Deterministic ids stay SHA-256.
///   The normalisation, per field, is in `ContentProjection`: white space is data, a missing end
///   is the end calendars give, all-day times compare as instants when a side keeps only
///   timestamps (`Connector.keepsAllDay`).
/// - **Derived values** (a title made by `title_template`) are never written back unless the
///   `to` side changed that field: write-back sends the `from` item as stored with the changed
///   fields only, and the state records which fields of the base were derived.
/// - **Batches**: `SyncJob.batchSize` items per write and state transaction, or every item of the run
///   when a side rewrites its whole store per write (`Connector.writesWholeStore`: CSV, XML).
/// - **Merges are per field**: a field changed on one side only takes that side's value; changed
///   on both (a conflict) follows `conflict`; `to_owns` fields and participants' responses always
///   keep the `to` side's value. One-way jobs restore `from`'s value where only `to` changed,
///   unless the policy is `to-wins`. `newest-wins` compares the events' `updated` stamps (no
///   stamp: `from` wins).
/// - **Deletions**: deleted in `from` → deleted in `to` (`apply.delete`). Deleted in `to` in a
///   two-way job → a `cancel` write-back (when `from` supports write-back) and a delete in `from`
///   when `apply_back.delete`; otherwise the item waits until `from` changes, then is re-created
///   with the next id generation. One-way jobs re-create it at once.
/// - **Out of scope** `from` items (cancelled, or tentative without `include_tentative`) are
///   never created, and removed from `to` when they leave the scope.
/// - **Write-back**: the first participant's response becoming `accepted` → `confirm`; becoming
///   `declined`, or the event cancelled or deleted in `to` → `cancel`; each sent once (the state
///   remembers the last one sent).
/// - **Items we made** carry an origin stamp (the create id). A `to` item with a stamp and no
///   state row is linked to its source (first sync, or a crash before the state commit), never
///   created again; stamped items are never written back as new. A side that cannot store the
///   stamp relies on its own upsert/409 for idempotent creates.
/// - **Checkpoints**: per batch, writes toward `to`, then toward `from`, then one state
///   transaction holding the items whose every change succeeded. Cursors are stored last, and
///   only when no change read in the run was left unapplied (a failed item keeps the cursor
///   where it was, so the next delta brings it again).
/// - **Mass-delete guard** (`MassDeleteGuard`): a full listing that returns nothing where items
///   were known (whatever the number of deletes), or deletes above `mass_delete_percent` (default
///   20 %) of known items that number at least `mass_delete_min` (default 3), blocks the run
///   before any write.
public enum AlmanacSync {}
