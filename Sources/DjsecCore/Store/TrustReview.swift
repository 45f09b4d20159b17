import Foundation

/// What `djsec trust` shows before the user accepts a store: who signed it,
/// whether djsec already trusts that signer, and what changed since the
/// version the user's record holds (recipients, data key, entries by name).
/// Names and public identities only: never a value.
public struct TrustReview {
  public let lines: [String]
  /// False when the store is trusted as it is and accepting would change nothing.
  public let needsAcceptance: Bool

  public init(_ store: SecretStore) {
    let file = store.file
    let record = store.record
    var out: [String] = []
    let seen = record.map { "you last accepted generation \($0.generation)" } ?? "you have no record of this store"
    out.append("store: \(store.url.lastPathComponent), format \(file.version), generation \(file.generation) (\(seen))")
    if let signer = file.signer, let identity = signer.identity {
      let status =
        switch store.verdict {
        case .untrusted: "NOT accepted by you"
        default: "trusted"
        }
      out.append("signed by: \(signer.label) \(identity.text) (fingerprint \(identity.fingerprint)): \(status)")
    } else {
      out.append("signed by: nobody (format 1 is unsigned; accepting upgrades it to format 2, signed by you)")
    }
    switch store.verdict {
    case .older(let g, let s, let retired):
      out.append(
        "WARNING: this store is OLDER than the newest version you have seen (generation \(g), newest seen \(s)"
          + (retired ? "; its data key was retired" : "") + ")")
    case .removedReturned(let labels):
      out.append("WARNING: it gives access back to \(labels.joined(separator: ", ")), removed by a trusted recipient")
    default: break
    }
    if !store.replacedEntries.isEmpty {
      out.append(
        "WARNING: it holds values that this branch's history replaced since (\(store.replacedEntries.joined(separator: ", "))): an older copy was put back"
      )
    }
    out.append("recipients:")
    let known = Set(record?.recipients.map(\.box) ?? [])
    for r in file.recipients {
      let member = TrustRecord.Member(r)
      var note = ""
      if record != nil && !known.contains(member.box) { note = "  (added since you last accepted)" }
      if record?.wasRemoved(r) == true { note = "  (REMOVED earlier by a trusted recipient)" }
      out.append("  \(r.label) \(r.identity?.text ?? "(no signing key: from format 1)")\(note)")
    }
    for gone in record?.recipients ?? [] where !file.recipients.contains(where: { TrustRecord.Member($0).box == gone.box }) {
      out.append("  - \(gone.label)  (no longer a recipient)")
    }
    if let record {
      if record.dataKey != store.dataKeyFingerprint { out.append("data key: rotated since you last accepted") }
      let now = TrustRecord.digests(file)
      let added = now.keys.filter { record.entries[$0] == nil }.sorted()
      let removed = record.entries.keys.filter { now[$0] == nil }.sorted()
      let changed = now.keys.filter { record.entries[$0] != nil && record.entries[$0] != now[$0] }.sorted()
      out.append("entries added: \(Self.list(added)); changed: \(Self.list(changed)); removed: \(Self.list(removed))")
    } else {
      out.append("entries: \(Self.list(store.names))")
    }
    lines = out
    needsAcceptance = store.verdict != .trusted || record == nil || !store.replacedEntries.isEmpty
  }

  private static func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
}
