/// Rotations of values inside the store. Each is one change to the store,
/// saved in one atomic write before anything that depends on it (the
/// rendered local_settings.py) is rewritten.
public enum Rotation {
  /// A new SECRET_KEY; the old one moves to the front of SECRET_KEY_FALLBACKS,
  /// which keeps the newest `keep` keys, so sessions, password-reset links and
  /// signed cookies made with the old key stay valid. `deployed` is the key
  /// local_settings.py holds: when it is neither the current key nor a
  /// fallback (a rotation killed before it rendered, a file rendered on
  /// another machine), it leads the fallbacks, whatever `keep` says, because
  /// it is the one users' sessions are signed with. Returns whether it did so.
  @discardableResult
  public static func rotateSecretKey(
    _ store: SecretStore, keep: Int, length: Int = SecretKeyGenerator.minimumLength, deployed: String? = nil
  ) throws(StoreError) -> Bool {
    let old = store.contains(SecretKeyEntries.key) ? try store.string(SecretKeyEntries.key) : nil
    let fresh: String
    do { fresh = try SecretKeyGenerator.generate(length: length) } catch {
      throw .malformed(file: "--length", line: 1, reason: error.message)
    }
    var fallbacks = Array(([old].compactMap { $0 } + (try SecretKeyEntries.fallbackKeys(in: store))).prefix(max(0, keep)))
    let keepsDeployed = deployed.map { !$0.isEmpty && $0 != old && !fallbacks.contains($0) } ?? false
    if keepsDeployed, let deployed { fallbacks.insert(deployed, at: 0) }
    try store.set(SecretKeyEntries.key, Array(fresh.utf8))
    if fallbacks.isEmpty {
      if store.contains(SecretKeyEntries.fallbacks) { try store.remove(SecretKeyEntries.fallbacks) }
    } else {
      try store.set(SecretKeyEntries.fallbacks, Array(fallbacks.joined(separator: "\n").utf8))
    }
    return keepsDeployed
  }

  /// Keeps `deployed` (the key local_settings.py holds) as the first
  /// fallback when the store holds it nowhere: a render must not log every
  /// user out because the store moved on without this machine (two
  /// rotations elsewhere with --keep 1). Returns whether it did.
  public static func keepDeployedKey(_ store: SecretStore, _ deployed: String?) throws(StoreError) -> Bool {
    guard let deployed, !deployed.isEmpty, store.contains(SecretKeyEntries.key) else { return false }
    let fallbacks = try SecretKeyEntries.fallbackKeys(in: store)
    guard try store.string(SecretKeyEntries.key) != deployed, !fallbacks.contains(deployed) else { return false }
    try store.set(SecretKeyEntries.fallbacks, Array(([deployed] + fallbacks).joined(separator: "\n").utf8))
    return true
  }

  /// A new random value for any secret (URL-safe characters, safe in database
  /// URLs and shells).
  public static func regenerate(_ store: SecretStore, name: String, length: Int) throws(StoreError) {
    guard length >= 16 else { throw .malformed(file: "--length", line: 1, reason: "a generated secret needs at least 16 characters") }
    let value = SecretKeyGenerator.uniformString(length: length, alphabet: KeyAlphabet.urlsafe.characters)
    try store.set(name, Array(value.utf8))
  }
}
