import Foundation

/// Three-way merge of two edited stores, entry by entry, for git's merge
/// driver. It fails closed (docs/SECURITY.md): it merges only when base,
/// ours and theirs are all signed by recipients the user trusts, share the
/// same recipients and data key, and neither side is older than the base.
/// Anything else (a branch that changed recipients or rotated the data key,
/// a missing base, an untrusted writer) is a conflict whose message says how
/// to redo the change after the merge. It never adds or removes a recipient,
/// and no plaintext ever touches the disk.
public enum StoreMerge {
  public static func merge(
    base: URL, ours: URL, theirs: URL, displayName: String, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8],
    trust: TrustSettings
  ) throws(StoreError) {
    func refuse(_ reason: String) -> StoreError { .trust(.mergeRefused(store: displayName, reason: reason)) }
    let o: SecretStore
    do { o = try SecretStore.open(ours, keyRing: keyRing, passphrase: passphrase, trust: trust, access: .write) } catch {
      throw refuse("our side cannot be written: \(error.message)")
    }
    guard let b = try? SecretStore.open(base, keyRing: keyRing, passphrase: passphrase, trust: trust, access: .review) else {
      throw refuse("the merge base is missing or cannot be opened")
    }
    let t: SecretStore
    do { t = try SecretStore.open(theirs, keyRing: keyRing, passphrase: passphrase, trust: trust, access: .review) } catch {
      throw refuse("their side cannot be opened: \(error.message)")
    }
    for (side, store) in [("the merge base", b), ("their side", t)] {
      switch store.verdict {
      case .trusted, .older(_, _, false): continue
      case .older(_, _, true): throw refuse("\(side) uses a retired data key")
      case .unsigned: throw refuse("\(side) is an unsigned version 1 store")
      case .untrusted: throw refuse("\(side) was signed by \(store.file.signer?.label ?? "?"), whom you have not accepted")
      case .removedReturned(let labels): throw refuse("\(side) gives access back to \(labels.joined(separator: ", "))")
      }
    }
    guard o.file.id == b.file.id, t.file.id == b.file.id else { throw refuse("the sides are different stores") }
    guard o.file.recipients.map(Recipient.init) == b.file.recipients.map(Recipient.init),
      t.file.recipients.map(Recipient.init) == b.file.recipients.map(Recipient.init)
    else { throw refuse("a side changed the recipients") }
    guard o.dataKeyFingerprint == b.dataKeyFingerprint, t.dataKeyFingerprint == b.dataKeyFingerprint else {
      throw refuse("a side rotated the data key")
    }
    guard t.file.generation > b.file.generation || t.file == b.file, o.file.generation >= b.file.generation else {
      throw refuse("a side is older than the merge base")
    }
    // Their side may bring back a value this branch replaced since (a file
    // from before a rotation committed on a branch): that is a rollback,
    // not a change, whatever its generation (StoreHistory).
    let history = StoreHistory.load(store: URL(fileURLWithPath: displayName), trusted: o.trustedSigners)
    let (theirs, base) = (StoreHistory.entries(t.file), StoreHistory.entries(b.file))
    let back = theirs.keys.sorted().filter { name in
      theirs[name] != base[name] && history?.superseded[name]?.contains(theirs[name]!) == true
    }
    guard back.isEmpty else { throw refuse("their side brings back values this branch replaced since (\(back.joined(separator: ", ")))") }
    var conflicts = try mergeEntries(base: b, ours: o, theirs: t)
    conflicts += mergeConfig(base: b, ours: o, theirs: t)
    if let first = conflicts.first { throw .conflict(entry: conflicts.count == 1 ? first : conflicts.joined(separator: ", ")) }
    o.raiseGeneration(to: t.file.generation)
    try o.save(recording: false)
  }

  /// What must be equal on every side for entries to merge: who the recipients are, not their sealed copies of the key.
  private struct Recipient: Equatable {
    let label: String
    let box: [UInt8]
    let sign: [UInt8]?
    init(_ r: StoreFile.Recipient) {
      label = r.label
      box = r.publicKey
      sign = r.signKey
    }
  }

  /// Values are compared decrypted, one at a time in guarded memory; an
  /// entry only theirs changed takes their ciphertext as it is (same data
  /// key and store id, so it opens under our associated data too).
  private static func mergeEntries(base b: SecretStore, ours o: SecretStore, theirs t: SecretStore) throws(StoreError) -> [String] {
    func same(_ x: SecretBytes?, _ y: SecretBytes?) -> Bool {
      switch (x, y) {
      case (nil, nil): true
      case (let x?, let y?): x.equals(y)
      default: false
      }
    }
    var conflicts: [String] = []
    for name in Set(b.names).union(o.names).union(t.names).sorted() {
      let x = b.contains(name) ? try b.value(name) : nil
      let y = o.contains(name) ? try o.value(name) : nil
      let z = t.contains(name) ? try t.value(name) : nil
      if same(y, z) || same(z, x) { continue }  // same on both sides, or only ours changed
      if same(y, x) {  // only theirs changed
        o.adopt(name, ciphertext: t.file.secrets[name])
      } else {
        conflicts.append(name)
      }
    }
    return conflicts
  }

  private static func mergeConfig(base b: SecretStore, ours o: SecretStore, theirs t: SecretStore) -> [String] {
    var conflicts: [String] = []
    for key in Set(b.file.config.keys).union(o.file.config.keys).union(t.file.config.keys).sorted() {
      let (x, y, z) = (b.file.config[key], o.file.config[key], t.file.config[key])
      if y == z || z == x { continue }
      if y == x { o.setConfig(key, z) } else { conflicts.append("config \(key)") }
    }
    return conflicts
  }
}
