import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What one user has seen of one store, kept outside every repository
/// (`$XDG_STATE_HOME/djsec/trust/<store id>.json`, mode 0600): the newest
/// generation, its recipients and data-key fingerprint, the data keys and
/// recipients that were retired since, and a digest of each entry's
/// ciphertext so `djsec trust` can name what changed. It holds no secret.
/// Trust comes from here (or from DJSEC_TRUSTED_KEYS), never from the store.
public struct TrustRecord: Codable, Equatable, Sendable {
  public struct Member: Codable, Equatable, Hashable, Sendable {
    public var label: String
    public var box: String
    /// Empty when the member's signing key is not known (a recipient carried over from version 1).
    public var sign: String
  }

  public var generation: UInt64
  public var dataKey: String
  public var retiredDataKeys: [String] = []
  public var recipients: [Member]
  public var removed: [Member] = []
  /// Each entry's ciphertext digest, by name. Kept as one `name digest`
  /// line per entry (`entryDigests` in the file) and read only when asked
  /// (`djsec trust` names what changed): decoding 10,000 JSON object members
  /// on every command was a third of a `secret get` on a large store.
  public var entries: [String: String] {
    get { Self.parseEntries(entryLines) }
    set { entryLines = Self.formatEntries(newValue) }
  }
  private var entryLines = ""
  /// Ciphertexts (digests, by name) that the user accepted with `djsec trust`
  /// although this branch's history had replaced them (a deliberate revert).
  public var acceptedReplaced: [String: [String]]? = nil

  init(file: StoreFile, fingerprint: String) {
    generation = file.generation
    dataKey = fingerprint
    recipients = file.recipients.map(Member.init)
    entries = Self.digests(file)
  }

  enum CodingKeys: String, CodingKey {
    case generation, dataKey, retiredDataKeys, recipients, removed, entryDigests, acceptedReplaced
    /// Records written before `entryDigests`: a JSON object.
    case entries
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    generation = try c.decode(UInt64.self, forKey: .generation)
    dataKey = try c.decode(String.self, forKey: .dataKey)
    retiredDataKeys = try c.decodeIfPresent([String].self, forKey: .retiredDataKeys) ?? []
    recipients = try c.decode([Member].self, forKey: .recipients)
    removed = try c.decodeIfPresent([Member].self, forKey: .removed) ?? []
    acceptedReplaced = try c.decodeIfPresent([String: [String]].self, forKey: .acceptedReplaced)
    if let lines = try c.decodeIfPresent(String.self, forKey: .entryDigests) {
      entryLines = lines
    } else {
      entries = try c.decodeIfPresent([String: String].self, forKey: .entries) ?? [:]
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(generation, forKey: .generation)
    try c.encode(dataKey, forKey: .dataKey)
    try c.encode(retiredDataKeys, forKey: .retiredDataKeys)
    try c.encode(recipients, forKey: .recipients)
    try c.encode(removed, forKey: .removed)
    try c.encode(entryLines, forKey: .entryDigests)
    try c.encodeIfPresent(acceptedReplaced, forKey: .acceptedReplaced)
  }

  /// `name digest` lines, sorted by name (names and digests hold no blank).
  static func formatEntries(_ entries: [String: String]) -> String {
    entries.keys.sorted().map { "\($0) \(entries[$0]!)\n" }.joined()
  }

  static func parseEntries(_ lines: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in lines.split(separator: "\n") {
      guard let space = line.firstIndex(of: " ") else { continue }
      out[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    return out
  }

  /// The signing keys of the recipients this record trusts.
  var signKeys: Set<[UInt8]> {
    Set(recipients.compactMap { Base64Text.decode(Substring($0.sign)) }.filter { $0.count == 32 && $0 != [UInt8](repeating: 0, count: 32) })
  }

  func wasRemoved(_ r: StoreFile.Recipient) -> Bool { removedMember(matching: r) != nil }

  /// The removed recipient that holds either of `r`'s keys, if any.
  func removedMember(matching r: StoreFile.Recipient) -> Member? {
    let member = Member(r)
    return removed.first { $0.box == member.box || (!member.sign.isEmpty && $0.sign == member.sign) }
  }

  /// Moves the record on to `file`, a store newer than it that the user
  /// trusts (or wrote): recipients gone from it are remembered as removed,
  /// a replaced data key as retired. Recipients present in `file` are no
  /// longer "removed": a trusted recipient (or the user) gave access back.
  mutating func advance(to file: StoreFile, fingerprint: String) {
    let now = file.recipients.map(Member.init)
    let gone = recipients.filter { old in !now.contains { $0.box == old.box } }
    removed = (removed + gone).filter { old in !now.contains { $0.box == old.box } }
    if dataKey != fingerprint && !retiredDataKeys.contains(dataKey) { retiredDataKeys.append(dataKey) }
    retiredDataKeys.removeAll { $0 == fingerprint }
    generation = file.generation
    dataKey = fingerprint
    recipients = now
    entries = Self.digests(file)
  }

  static func digests(_ file: StoreFile) -> [String: String] {
    file.secrets.mapValues(digest)
  }

  static func digest(_ cipher: [UInt8]) -> String { String(SecretDigest.hex(cipher).prefix(16)) }

  func accepted(_ name: String, _ cipher: [UInt8]) -> Bool {
    acceptedReplaced?[name]?.contains(Self.digest(cipher)) == true
  }

  // MARK: files

  static func url(folder: URL, id: [UInt8]) -> URL {
    folder.appendingPathComponent(id.map { String(format: "%02x", $0) }.joined() + ".json")
  }

  static func load(folder: URL, id: [UInt8]) throws(TrustError) -> TrustRecord? {
    let url = url(folder: folder, id: id)
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    guard let data = FileManager.default.contents(atPath: url.path), let record = try? JSONDecoder().decode(TrustRecord.self, from: data)
    else { throw .unreadableRecord(path: url.path) }
    return record
  }

  func save(folder: URL, id: [UInt8]) throws(FileError) {
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw .cannotWrite(path: folder.path, errno: EACCES)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = (try? encoder.encode(self)) ?? Data()
    try AtomicFile.write(data, to: Self.url(folder: folder, id: id), mode: 0o600)
  }
}

extension TrustRecord.Member {
  init(_ r: StoreFile.Recipient) {
    label = r.label
    box = Base64Text.encode(r.publicKey)
    sign = r.signKey.map(Base64Text.encode) ?? ""
  }
}

/// Where trust comes from for one run: the user's records, or in CI the
/// signers that DJSEC_TRUSTED_KEYS lists (from the job's own secrets).
public struct TrustSettings: Sendable {
  /// `$XDG_STATE_HOME/djsec/trust` (default `~/.local/state/djsec/trust`); nil when there is no home.
  public var recordFolder: URL?
  /// Signing keys from DJSEC_TRUSTED_KEYS; when set, the only signers trusted besides the user's own key.
  public var trustedKeys: Set<[UInt8]>?

  public init(recordFolder: URL?, trustedKeys: Set<[UInt8]>? = nil) {
    self.recordFolder = recordFolder
    self.trustedKeys = trustedKeys
  }

  public init(environment: [String: String]) throws(TrustError) {
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      recordFolder = URL(fileURLWithPath: state).appendingPathComponent("djsec/trust")
    } else if let home = environment["HOME"], home.hasPrefix("/") {
      recordFolder = URL(fileURLWithPath: home).appendingPathComponent(".local/state/djsec/trust")
    } else {
      recordFolder = nil
    }
    guard let list = environment["DJSEC_TRUSTED_KEYS"] else { return }
    var keys = Set<[UInt8]>()
    for word in list.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
      if let identity = PublicIdentity.parse(word) {
        keys.insert(identity.signKey)
      } else if let key = Base64Text.decode(word), Signature.isValidPublicKey(key) {
        keys.insert(key)
      } else {
        throw .badTrustedKeys(word: String(word))
      }
    }
    trustedKeys = keys
  }
}
