import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How far a store is trusted for what a command is about to do (docs/SECURITY.md).
public enum TrustVerdict: Equatable, Sendable {
  /// Signed by a trusted recipient and not older than anything seen.
  case trusted
  /// Signed by a trusted recipient, but older than the newest version seen
  /// (another branch, or a rollback): reading warns. When its data key was
  /// retired by a rotation (a removed recipient knew it), writing and
  /// rendering are refused too.
  case older(generation: UInt64, seen: UInt64, retiredKey: Bool)
  /// Signed by a recipient the user has not accepted.
  case untrusted(UntrustedReason)
  /// Signed by a trusted recipient, but gives access back to recipients a
  /// trusted recipient removed.
  case removedReturned([String])
  /// Format version 1: no signature.
  case unsigned

  /// Whether the signer is one the user trusts (whatever else is wrong).
  public var trustsSigner: Bool {
    switch self {
    case .trusted, .older, .removedReturned: true
    case .untrusted, .unsigned: false
    }
  }
}

/// An opened store: the parsed file plus its data key, decrypted with one of
/// the user's private keys, its MAC and signature checked, and the verdict
/// of the user's trust record. Values are decrypted one at a time, on request.
public final class SecretStore {
  /// What the caller is about to do; it decides which verdicts are refused.
  public enum Access: Sendable {
    /// Refuses unsigned and untrusted stores; an older one opens (the caller warns).
    case read
    /// Refuses what `read` refuses, and stores under a retired data key:
    /// nothing is ever sealed to a removed recipient or under a retired data
    /// key, and values a removed recipient knew are never deployed.
    case write
    /// Refuses nothing that decrypts and verifies: for `djsec trust` to show.
    case review
  }

  public let url: URL
  public private(set) var file: StoreFile
  private var dataKey: SecretBytes
  private var keys: StoreKeys
  /// The user's key that opened the store, and its signing half, which signs every write.
  private let opener: KeyPair
  private let signing: SigningKeyPair
  let trust: TrustSettings
  /// The user's record of this store as it was when opened.
  public private(set) var record: TrustRecord?
  public private(set) var verdict: TrustVerdict
  /// Set when anything changed since opening; `save` writes only then.
  public private(set) var changed = false
  /// Entries whose ciphertext this branch's git history replaced since (an
  /// older copy put back): reading warns, writing and rendering refuse.
  public private(set) var replacedEntries: [String] = []
  /// The history check saw only part of the history (a shallow clone, a very long one).
  public private(set) var historyIncomplete = false
  /// git refused to read the repository (dubious ownership): the rollback check did not run.
  public private(set) var historyRefused = false

  var displayName: String { url.lastPathComponent }

  private init(
    url: URL, file: StoreFile, dataKey: SecretBytes, keys: StoreKeys, opener: KeyPair, signing: SigningKeyPair, trust: TrustSettings,
    record: TrustRecord?
  ) {
    self.url = url
    self.file = file
    self.dataKey = dataKey
    self.keys = keys
    self.opener = opener
    self.signing = signing
    self.trust = trust
    self.record = record
    self.verdict = .trusted
  }

  /// A new, empty store whose one recipient is `opener` (labelled `label`),
  /// with a fresh data key and store id.
  public static func create(at url: URL, opener: KeyPair, label: String, trust: TrustSettings, config: [String: String] = [:])
    throws(StoreError) -> SecretStore
  {
    let key = SecretBytes(random: AEAD.keyBytes)
    let signing = try Self.crypto { () throws(CryptoError) in try opener.signing() }
    let me = StoreFile.Recipient(
      label: label, publicKey: opener.publicKey, signKey: signing.publicKey, sealedKey: try Self.seal(key, to: label, opener.publicKey))
    let file = StoreFile(id: SecureRandom.bytes(16), generation: 0, config: config, recipients: [me], secrets: [:], mac: [])
    let keys = try Self.crypto { () throws(CryptoError) in try StoreKeys(dataKey: key, version: file.version) }
    let store = SecretStore(url: url, file: file, dataKey: key, keys: keys, opener: opener, signing: signing, trust: trust, record: nil)
    store.changed = true
    return store
  }

  /// Opens the store with the first key in `keyRing` that is a recipient,
  /// checks the MAC and the signature over the whole file before anything
  /// is decrypted, and judges the signer against the user's trust (`access`
  /// says which verdicts are refused).
  public static func open(
    _ url: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8], trust: TrustSettings, access: Access
  ) throws(StoreError) -> SecretStore {
    let bytes = try readBytes(url)
    let file = try StoreFile.parse(bytes: bytes, file: url.lastPathComponent)
    let (pair, key) = try openDataKey(file, keyRing: keyRing, passphrase: passphrase, name: url.lastPathComponent)
    var record: TrustRecord?
    if let folder = trust.recordFolder {
      do { record = try TrustRecord.load(folder: folder, id: file.id) } catch { throw .trust(error) }
    }
    let keys = try Self.crypto { () throws(CryptoError) in try StoreKeys(dataKey: key, version: file.version) }
    let signing = try Self.crypto { () throws(CryptoError) in try pair.signing() }
    let store = SecretStore(url: url, file: file, dataKey: key, keys: keys, opener: pair, signing: signing, trust: trust, record: record)
    try store.verifyMAC(bytes)
    try store.verifySignature(bytes)
    let signers = store.trustedSigners
    store.verdict = TrustPolicy.verdict(file: file, fingerprint: keys.fingerprint, signers: signers, record: record, trust: trust)
    if file.version >= 2 && store.verdict.trustsSigner {
      let history = StoreHistory.load(store: url, trusted: signers)
      let entries = StoreHistory.entries(file)
      store.replacedEntries = (history?.replaced(in: file) ?? []).filter { record?.accepted($0, entries[$0] ?? []) != true }
      store.historyIncomplete = history?.incomplete ?? false
      store.historyRefused = history?.gitRefused ?? false
    }
    try store.enforce(access)
    return store
  }

  private static func readBytes(_ url: URL) throws(StoreError) -> [UInt8] {
    var info = stat()
    guard stat(url.path, &info) == 0 else {
      if errno == ENOENT { throw .storeNotFound(path: url.path) }
      throw .file(.cannotRead(path: url.path, errno: errno))
    }
    guard Int(info.st_size) <= StoreFile.maxFileBytes else {
      throw .tooLarge(file: url.lastPathComponent, limit: "\(StoreFile.maxFileBytes >> 20) MiB")
    }
    guard let data = FileManager.default.contents(atPath: url.path) else { throw .file(.cannotRead(path: url.path, errno: EACCES)) }
    return Array(data)
  }

  private static func openDataKey(_ file: StoreFile, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8], name: String)
    throws(StoreError) -> (KeyPair, SecretBytes)
  {
    for candidate in try keyRing.candidates() {
      guard let recipient = file.recipients.first(where: { $0.publicKey == candidate.publicKey }) else { continue }
      let pair: KeyPair
      switch candidate {
      case .pair(let p, _): pair = p
      case .file(let f): pair = try f.unlock { () throws(StoreError) in try passphrase(f) }
      }
      guard let opened = try? SealedBox.open(recipient.sealedKey, with: pair) else {
        throw .integrity(store: name, detail: "the data key sealed for \(recipient.label) does not open")
      }
      return (pair, opened)
    }
    throw .noKeyOpens(store: name, recipients: file.recipients.map(\.label))
  }

  /// The MAC covers every byte before the `mac:` line. When it fails, each
  /// entry is tried on its own so the message can name a tampered one.
  private func verifyMAC(_ bytes: [UInt8]) throws(StoreError) {
    guard let start = Self.lineStart(of: "mac: ", in: bytes) else {
      throw .integrity(store: displayName, detail: "the mac line is missing")
    }
    if KeyedHash.equal(try mac(of: Array(bytes[..<start])), file.mac) { return }
    for name in file.secrets.keys.sorted() where (try? value(name)) == nil {
      throw .integrity(store: displayName, detail: "entry \(name) was altered or moved from another name")
    }
    throw .integrity(
      store: displayName, detail: "the MAC does not match: the header changed, or an entry was added, removed or rolled back")
  }

  /// The signature covers every byte before the `signature:` line and must
  /// be made by one of the store's own recipients.
  private func verifySignature(_ bytes: [UInt8]) throws(StoreError) {
    guard file.version >= 2, file.signature != nil else { return }
    guard file.signer != nil else {
      throw .integrity(store: displayName, detail: "the signature is not by one of the store's recipients")
    }
    guard file.signatureVerifies(bytes) else {
      throw .integrity(store: displayName, detail: "the signature does not match: the file was changed after it was signed")
    }
  }

  /// The offset of the last line that starts with `prefix`.
  static func lineStart(of prefix: String, in bytes: [UInt8]) -> Int? {
    let needle = [10] + Array(prefix.utf8)
    var i = bytes.count - needle.count
    while i >= 0 {
      if bytes[i] == 10 && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i + 1 }
      i -= 1
    }
    return nil
  }

  private func enforce(_ access: Access) throws(StoreError) {
    switch (verdict, access) {
    case (_, .review): return
    case (.unsigned, _): throw .trust(.unsigned(store: displayName))
    case (.untrusted(let reason), _):
      let signer = file.signer
      throw .trust(
        .untrusted(store: displayName, signer: signer?.label ?? "?", fingerprint: signer?.identity?.fingerprint ?? "?", reason: reason))
    case (.removedReturned(let labels), _): throw .trust(.removedRecipientReturned(store: displayName, labels: labels))
    case (.older(_, _, true), .write): throw .trust(.retiredDataKey(store: displayName))
    case (_, .write) where !replacedEntries.isEmpty: throw .trust(.replacedValues(store: displayName, names: replacedEntries))
    case (.older, _): return
    case (.trusted, _):
      // A newer store from a trusted signer moves the user's record on, so a
      // later rollback to this version or older is noticed.
      if record == nil || file.generation > record!.generation { try? advanceRecord() }
    }
  }

  private func advanceRecord() throws(StoreError) {
    guard let folder = trust.recordFolder else { return }
    var next = record ?? TrustRecord(file: file, fingerprint: keys.fingerprint)
    next.advance(to: file, fingerprint: keys.fingerprint)
    do { try next.save(folder: folder, id: file.id) } catch { throw .file(error) }
    record = next
  }

  /// `djsec trust`: the user reviewed this store and accepts it as it is,
  /// even when older than what the record holds.
  public func accept() throws(StoreError) {
    guard trust.recordFolder != nil else { throw .trust(.unreadableRecord(path: "$XDG_STATE_HOME/djsec/trust (no home folder)")) }
    if !replacedEntries.isEmpty, var next = record {
      for name in replacedEntries {
        let value = StoreHistory.entries(file)[name] ?? []
        next.acceptedReplaced = (next.acceptedReplaced ?? [:]).merging([name: [TrustRecord.digest(value)]]) { $0 + $1 }
      }
      record = next
      replacedEntries = []
    }
    if file.version < StoreFile.currentVersion {
      try upgrade()
      try save()
    } else {
      try advanceRecord()
    }
    verdict = .trusted
  }

  func mac(of bytes: [UInt8]) throws(StoreError) -> [UInt8] {
    try Self.crypto { () throws(CryptoError) in try KeyedHash.hash(bytes, key: keys.mac) }
  }

  /// Runs libsodium wrappers, turning their failure (with its return code) into a store error.
  static func crypto<T>(_ body: () throws(CryptoError) -> T) throws(StoreError) -> T {
    do { return try body() } catch { throw .crypto(error) }
  }

  /// The data key sealed to a recipient; crypto_box_seal refuses a public key
  /// of small order, and the error names the recipient.
  static func seal(_ key: SecretBytes, to label: String, _ publicKey: [UInt8]) throws(StoreError) -> [UInt8] {
    do { return try SealedBox.seal(key, to: publicKey) } catch {
      guard case .failed(_, let code) = error else { throw .crypto(error) }
      throw .key(.unsafeRecipient(label: label, code: code))
    }
  }

  /// A value's associated data under this store's keys, or under `other` (a rotation's new ones).
  func associatedData(_ name: String, under other: StoreKeys? = nil) -> [UInt8] {
    (other ?? keys).valuePrefix + file.id + [0] + Array(name.utf8)
  }

  public var names: [String] { file.secrets.keys.sorted() }

  public func contains(_ name: String) -> Bool { file.secrets[name] != nil }

  /// Names the data key (a subkey, never the key): equal for stores that share one.
  var dataKeyFingerprint: String { keys.fingerprint }

  /// The signing keys this run trusts for this store (TrustPolicy).
  var trustedSigners: Set<[UInt8]> { TrustPolicy.signers(own: signing.publicKey, record: record, trustedKeys: trust.trustedKeys) }

  /// Takes another side's ciphertext for `name` as it is (nil removes it):
  /// only for sides that share this store's id and data key (StoreMerge).
  func adopt(_ name: String, ciphertext: [UInt8]?) {
    file.secrets[name] = ciphertext
    changed = true
  }

  /// The next save writes a generation above `generation` too (a merge is
  /// newer than both sides).
  func raiseGeneration(to generation: UInt64) {
    file.generation = max(file.generation, generation)
  }

  /// The public identity of the key that opened the store.
  public var openerIdentity: PublicIdentity { PublicIdentity(boxKey: opener.publicKey, signKey: signing.publicKey) }

  /// The decrypted value of `name`.
  public func value(_ name: String) throws(StoreError) -> SecretBytes {
    guard let sealed = file.secrets[name] else { throw .missingSecret(name: name, store: displayName) }
    do { return try AEAD.open(sealed, key: keys.value, associatedData: associatedData(name)) } catch {
      throw .integrity(store: displayName, detail: "entry \(name) was altered or moved from another name")
    }
  }

  public func string(_ name: String) throws(StoreError) -> String {
    try value(name).withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
  }

  /// A short digest of a value, keyed with a key derived from the reader's
  /// own private key: equal values show equal digests to this user, and
  /// nobody else (a CI log, a pull-request page) can test a guess against it.
  public func valueDigest(_ name: String) throws(StoreError) -> String {
    let plain = try value(name)
    let digest = try Self.crypto { () throws(CryptoError) in
      let key = try KeyedHash.derive("djsec-textconv-v1", from: opener.privateKey)
      // The data key's fingerprint is in the message: a store somebody else
      // made (their data key) never shows a digest comparable with this one's.
      let message = Array(keys.fingerprint.utf8) + [0] + Array(name.utf8) + [0]
      return try plain.withUnsafeBytes { (v) throws(CryptoError) in try KeyedHash.hash(message + Array(v), key: key) }
    }
    return digest.prefix(6).map { String(format: "%02x", $0) }.joined()
  }

  /// Sets a value. An unchanged value keeps its ciphertext byte for byte, so
  /// rewriting the file changes only the lines of the values that changed.
  public func set(_ name: String, _ value: [UInt8]) throws(StoreError) {
    guard StoreFile.isValidName(name) else { throw .invalidName(name) }
    if let current = try? self.value(name), current.withUnsafeBytes({ Array($0) == value }) { return }
    let ad = associatedData(name)
    file.secrets[name] = try Self.crypto { () throws(CryptoError) in try AEAD.seal(value, key: keys.value, associatedData: ad) }
    changed = true
  }

  public func remove(_ name: String) throws(StoreError) {
    guard file.secrets.removeValue(forKey: name) != nil else { throw .missingSecret(name: name, store: displayName) }
    changed = true
  }

  public func setConfig(_ key: String, _ value: String?) {
    guard file.config[key] != value else { return }
    file.config[key] = value
    changed = true
  }

  /// Gives `identity` access. A key a trusted recipient removed comes back
  /// only with `again` (`recipients add --again`): a `.pub` file in the
  /// repository is not proof of who holds the key.
  public func addRecipient(label: String, identity: PublicIdentity, again: Bool = false) throws(StoreError) {
    let candidate = StoreFile.Recipient(label: label, publicKey: identity.boxKey, signKey: identity.signKey, sealedKey: [])
    if !again, let removed = record?.removedMember(matching: candidate) {
      throw .trust(.removedRecipientAdded(label: label, removedAs: removed.label))
    }
    guard StoreFile.isValidLabel(label) else { throw .malformed(file: "--name", line: 1, reason: "invalid label \(label)") }
    guard !file.recipients.contains(where: { $0.label == label }) else { throw .duplicateRecipient(label: label) }
    guard !file.recipients.contains(where: { $0.publicKey == identity.boxKey }) else { throw .duplicateRecipient(label: label) }
    guard Signature.isValidPublicKey(identity.signKey) else {
      throw .key(.unsafePublicKey(key: identity.text, file: nil, flaw: .smallOrder))
    }
    file.recipients.append(
      .init(
        label: label, publicKey: identity.boxKey, signKey: identity.signKey, sealedKey: try Self.seal(dataKey, to: label, identity.boxKey)))
    file.recipients.sort { $0.label < $1.label }
    changed = true
  }

  /// Removes a recipient and rotates the data key: the removed party knew the
  /// old one, so every value is encrypted again under a new key.
  public func removeRecipient(label: String) throws(StoreError) {
    guard file.recipients.contains(where: { $0.label == label }) else { throw .unknownRecipient(label: label) }
    guard file.recipients.count > 1 else { throw .lastRecipient(label: label) }
    file.recipients.removeAll { $0.label == label }
    try rotateDataKey()
  }

  /// A new data key; every value re-encrypted, every recipient given the
  /// new key, all of it in one atomic write. Values are moved one at a time
  /// (decrypt, encrypt, free), so a store of any size needs memory for one
  /// plaintext value at a time.
  public func rotateDataKey() throws(StoreError) {
    let fresh = SecretBytes(random: AEAD.keyBytes)
    try reencrypt(to: fresh, version: StoreFile.currentVersion)
    var resealed: [StoreFile.Recipient] = []
    for r in file.recipients {
      resealed.append(
        .init(label: r.label, publicKey: r.publicKey, signKey: r.signKey, sealedKey: try Self.seal(fresh, to: r.label, r.publicKey)))
    }
    file.recipients = resealed
    dataKey = fresh
  }

  /// Version 1 → 2: same data key and id, every value encrypted again under
  /// the value subkey; recipients other than the user keep an unknown
  /// (all-zero) signing key until they write the store themselves.
  func upgrade() throws(StoreError) {
    guard file.version < StoreFile.currentVersion else { return }
    try reencrypt(to: dataKey, version: StoreFile.currentVersion)
    file.recipients = file.recipients.map {
      var r = $0
      r.signKey = r.signKey ?? [UInt8](repeating: 0, count: 32)
      return r
    }
  }

  private func reencrypt(to newKey: SecretBytes, version: Int) throws(StoreError) {
    let newKeys = try Self.crypto { () throws(CryptoError) in try StoreKeys(dataKey: newKey, version: version) }
    var out: [String: [UInt8]] = [:]
    out.reserveCapacity(file.secrets.count)
    for name in file.secrets.keys {
      let ad = associatedData(name, under: newKeys)
      let plain = try value(name)
      out[name] = try Self.crypto { () throws(CryptoError) in
        try plain.withUnsafeBytes { (v) throws(CryptoError) in try AEAD.seal(Array(v), key: newKeys.value, associatedData: ad) }
      }
    }
    file.secrets = out
    file.version = version
    keys = newKeys
    changed = true
  }

  /// Writes the store atomically (temporary file, fsync, rename, fsync of the
  /// folder; through a symbolic link, to its target): one more than the newest generation seen, the user's own
  /// signing key in their recipient line, MAC, then the signature. The store
  /// holds only ciphertext: mode 0644. The user's record moves on with it.
  /// `recording: false` leaves the user's record as it is: the merge
  /// driver's result is not yet a version anyone committed (git may even ask
  /// for a virtual merge base that is never committed).
  public func save(recording: Bool = true) throws(StoreError) {
    guard changed else { return }
    if case .older(_, _, true) = verdict { throw .trust(.retiredDataKey(store: displayName)) }
    file.generation = min(max(file.generation, record?.generation ?? 0) + 1, StoreFile.maxGeneration)
    for i in file.recipients.indices where file.recipients[i].publicKey == opener.publicKey {
      file.recipients[i].signKey = signing.publicKey
    }
    file.mac = try mac(of: Array(file.authenticatedText.utf8))
    let signedText = Array(file.signedText.utf8)
    file.signature = .init(signer: signing.publicKey, bytes: try Self.crypto { () throws(CryptoError) in try signing.sign(signedText) })
    do { try AtomicFile.write(file.text, to: url, mode: 0o644) } catch { throw .file(error) }
    changed = false
    verdict = .trusted
    if recording { try? advanceRecord() }
  }

  /// Runs `body` on the store under an exclusive lock held for the whole
  /// read-modify-write, then saves: concurrent writers wait for each other and
  /// lose nothing. `create` makes the store when it does not exist yet.
  public static func modify<R>(
    _ url: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8], trust: TrustSettings,
    create: (() throws(StoreError) -> SecretStore)? = nil, onWait: StoreLock.Waiting? = nil, lockHeld: Bool = false,
    _ body: (SecretStore) throws(StoreError) -> R
  ) throws(StoreError) -> R {
    // Resolved once: a store that is a symbolic link is locked, read and
    // written where the link points, and the link stays. `lockHeld`: the
    // caller holds the lock across this and the files it writes from the
    // store (Deployment), so they stay in step.
    let target: URL
    do { target = try SymbolicLink.resolved(url) } catch { throw .file(error) }
    let lock = lockHeld ? nil : try StoreLock(for: target, onWait: onWait)
    defer { lock?.release() }
    let store: SecretStore
    if !FileManager.default.fileExists(atPath: target.path), let create {
      store = try create()
    } else {
      store = try open(target, keyRing: keyRing, passphrase: passphrase, trust: trust, access: .write)
    }
    let result = try body(store)
    try store.save()
    return result
  }
}
