import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An opened store: the parsed file plus its data key, decrypted with one of
/// the user's private keys. Values are decrypted one at a time, on request.
public final class SecretStore {
  public let url: URL
  public private(set) var file: StoreFile
  private var dataKey: SecretBytes
  /// Set when anything changed since opening; `save` writes only then.
  public private(set) var changed = false

  static let valuePrefix = Array("djsec-store-v1\u{0}".utf8)
  static let macPurpose = "djsec-store-v1/mac"

  var displayName: String { url.lastPathComponent }

  private init(url: URL, file: StoreFile, dataKey: SecretBytes) {
    self.url = url
    self.file = file
    self.dataKey = dataKey
  }

  /// A new, empty store for `recipients` with a fresh data key and file id.
  public static func create(at url: URL, recipients: [(label: String, publicKey: [UInt8])], config: [String: String] = [:]) -> SecretStore {
    let key = SecretBytes(random: AEAD.keyBytes)
    let file = StoreFile(
      id: SecureRandom.bytes(16), config: config,
      recipients: recipients.map { .init(label: $0.label, publicKey: $0.publicKey, sealedKey: SealedBox.seal(key, to: $0.publicKey)) },
      secrets: [:], mac: [])
    let store = SecretStore(url: url, file: file, dataKey: key)
    store.changed = true
    return store
  }

  /// Opens the store with the first key in `keyRing` that is a recipient, and
  /// checks the MAC over the whole file before anything is decrypted.
  public static func open(_ url: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8]) throws(StoreError)
    -> SecretStore
  {
    guard let data = FileManager.default.contents(atPath: url.path) else { throw .storeNotFound(path: url.path) }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .malformed(file: url.lastPathComponent, line: 1, reason: "not valid UTF-8")
    }
    let file = try StoreFile.parse(text, file: url.lastPathComponent)
    var key: SecretBytes?
    for candidate in try keyRing.candidates() {
      guard let recipient = file.recipients.first(where: { $0.publicKey == candidate.publicKey }) else { continue }
      let pair: KeyPair
      switch candidate {
      case .pair(let p, _): pair = p
      case .file(let f): pair = try f.unlock { () throws(StoreError) in try passphrase(f) }
      }
      guard let opened = try? SealedBox.open(recipient.sealedKey, with: pair) else {
        throw .integrity(store: url.lastPathComponent, detail: "the data key sealed for \(recipient.label) does not open")
      }
      key = opened
      break
    }
    guard let key else { throw .noKeyOpens(store: url.lastPathComponent, recipients: file.recipients.map(\.label)) }
    let store = SecretStore(url: url, file: file, dataKey: key)
    try store.verify(text: text)
    return store
  }

  /// The MAC covers every byte before the `mac:` line. When it fails, each
  /// entry is tried on its own so the message can name a tampered one.
  private func verify(text: String) throws(StoreError) {
    guard let macLine = text.range(of: "\nmac: ", options: .backwards) else {
      throw .integrity(store: displayName, detail: "the mac line is missing")
    }
    let covered = Array(text[..<macLine.lowerBound].utf8) + [10]
    if KeyedHash.equal(mac(of: covered), file.mac) { return }
    for name in file.secrets.keys.sorted() where (try? value(name)) == nil {
      throw .integrity(store: displayName, detail: "entry \(name) was altered or moved from another name")
    }
    throw .integrity(
      store: displayName, detail: "the MAC does not match: the header changed, or an entry was added, removed or rolled back")
  }

  func mac(of bytes: [UInt8]) -> [UInt8] {
    KeyedHash.hash(bytes, key: KeyedHash.derive(Self.macPurpose, from: dataKey))
  }

  func associatedData(_ name: String) -> [UInt8] {
    Self.valuePrefix + file.id + [0] + Array(name.utf8)
  }

  public var names: [String] { file.secrets.keys.sorted() }

  public func contains(_ name: String) -> Bool { file.secrets[name] != nil }

  /// The decrypted value of `name`.
  public func value(_ name: String) throws(StoreError) -> SecretBytes {
    guard let sealed = file.secrets[name] else { throw .missingSecret(name: name, store: displayName) }
    do { return try AEAD.open(sealed, key: dataKey, associatedData: associatedData(name)) } catch {
      throw .integrity(store: displayName, detail: "entry \(name) was altered or moved from another name")
    }
  }

  public func string(_ name: String) throws(StoreError) -> String {
    try value(name).withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
  }

  /// Sets a value. An unchanged value keeps its ciphertext byte for byte, so
  /// rewriting the file changes only the lines of the values that changed.
  public func set(_ name: String, _ value: [UInt8]) throws(StoreError) {
    guard StoreFile.isValidName(name) else { throw .invalidName(name) }
    if let current = try? self.value(name), current.withUnsafeBytes({ Array($0) == value }) { return }
    file.secrets[name] = AEAD.seal(value, key: dataKey, associatedData: associatedData(name))
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

  public func addRecipient(label: String, publicKey: [UInt8]) throws(StoreError) {
    guard StoreFile.isValidLabel(label) else { throw .malformed(file: "--name", line: 1, reason: "invalid label \(label)") }
    guard !file.recipients.contains(where: { $0.label == label }) else { throw .duplicateRecipient(label: label) }
    file.recipients.append(.init(label: label, publicKey: publicKey, sealedKey: SealedBox.seal(dataKey, to: publicKey)))
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

  /// A new data key (and file id); every value re-encrypted, every recipient
  /// given the new key. All of it lands in one atomic write.
  public func rotateDataKey() throws(StoreError) {
    var plain: [(String, SecretBytes)] = []
    for name in names { plain.append((name, try value(name))) }
    dataKey = SecretBytes(random: AEAD.keyBytes)
    file.id = SecureRandom.bytes(16)
    file.recipients = file.recipients.map {
      .init(label: $0.label, publicKey: $0.publicKey, sealedKey: SealedBox.seal(dataKey, to: $0.publicKey))
    }
    file.secrets = [:]
    for (name, value) in plain {
      file.secrets[name] = value.withUnsafeBytes { AEAD.seal(Array($0), key: dataKey, associatedData: associatedData(name)) }
    }
    changed = true
  }

  /// Writes the store atomically (temporary file, fsync, rename, fsync of the
  /// folder), MAC recomputed. The store holds only ciphertext: mode 0644.
  public func save() throws(StoreError) {
    guard changed else { return }
    file.mac = mac(of: Array(file.authenticatedText.utf8))
    do { try AtomicFile.write(file.text, to: url, mode: 0o644) } catch { throw .file(error) }
    changed = false
  }

  /// Runs `body` on the store under an exclusive lock held for the whole
  /// read-modify-write, then saves: concurrent writers wait for each other and
  /// lose nothing. `create` makes the store when it does not exist yet.
  public static func modify<R>(
    _ url: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8],
    create: (() throws(StoreError) -> SecretStore)? = nil, onWait: StoreLock.Waiting? = nil,
    _ body: (SecretStore) throws(StoreError) -> R
  ) throws(StoreError) -> R {
    let lock = try StoreLock(for: url, onWait: onWait)
    defer { lock.release() }
    let store: SecretStore
    if !FileManager.default.fileExists(atPath: url.path), let create {
      store = try create()
    } else {
      store = try open(url, keyRing: keyRing, passphrase: passphrase)
    }
    let result = try body(store)
    try store.save()
    return result
  }
}
