import Foundation

/// Three-way merge of two edited stores, entry by entry, for git's merge
/// driver. Values are compared decrypted, so a merge works even when one side
/// rotated the data key; an entry both sides changed differently is a
/// conflict. The result is written encrypted, MAC recomputed: no plaintext
/// ever touches the disk.
public enum StoreMerge {
  public static func merge(base: URL, ours: URL, theirs: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8])
    throws(StoreError)
  {
    let b = try? SecretStore.open(base, keyRing: keyRing, passphrase: passphrase)
    let o = try SecretStore.open(ours, keyRing: keyRing, passphrase: passphrase)
    let t = try SecretStore.open(theirs, keyRing: keyRing, passphrase: passphrase)
    func plain(_ s: SecretStore?) throws(StoreError) -> [String: [UInt8]] {
      guard let s else { return [:] }
      var out: [String: [UInt8]] = [:]
      for name in s.names { out[name] = try s.value(name).withUnsafeBytes { Array($0) } }
      return out
    }
    let (bv, ov, tv) = (try plain(b), try plain(o), try plain(t))
    var conflicts: [String] = []
    for name in Set(bv.keys).union(ov.keys).union(tv.keys).sorted() {
      let (x, y, z) = (bv[name], ov[name], tv[name])
      if y == z || z == x { continue }  // same on both sides, or only ours changed
      if y == x {  // only theirs changed
        if let z { try o.set(name, z) } else { try o.remove(name) }
      } else {
        conflicts.append(name)
      }
    }
    // Recipients: take theirs' additions and removals (a removal rotates the key).
    let baseLabels = Set(b?.file.recipients.map(\.label) ?? [])
    let ourLabels = Set(o.file.recipients.map(\.label))
    for r in t.file.recipients where !baseLabels.contains(r.label) && !ourLabels.contains(r.label) {
      try o.addRecipient(label: r.label, publicKey: r.publicKey)
    }
    for label in baseLabels.subtracting(t.file.recipients.map(\.label)) where ourLabels.contains(label) {
      try o.removeRecipient(label: label)
    }
    for key in Set(b?.file.config.keys.map { $0 } ?? []).union(o.file.config.keys).union(t.file.config.keys) {
      let (x, y, z) = (b?.file.config[key], o.file.config[key], t.file.config[key])
      if y == z || z == x { continue }
      if y == x { o.setConfig(key, z) } else { conflicts.append("config \(key)") }
    }
    if let first = conflicts.first { throw .conflict(entry: conflicts.count == 1 ? first : conflicts.joined(separator: ", ")) }
    try o.save()
  }

  /// The store as text for `git diff` (textconv): names and decrypted values,
  /// shown on the user's terminal only. A store the user cannot open is shown
  /// as it is.
  public static func textconv(_ url: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8]) -> String {
    guard let store = try? SecretStore.open(url, keyRing: keyRing, passphrase: passphrase) else {
      return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }
    var out = ""
    for key in store.file.config.keys.sorted() { out += "config \(key) = \(store.file.config[key]!)\n" }
    for r in store.file.recipients { out += "recipient \(r.label)\n" }
    for name in store.names {
      let value = (try? store.string(name)) ?? "<cannot decrypt>"
      out += "\(name) = \(PythonLiteral.string(value))\n"
    }
    return out
  }
}
