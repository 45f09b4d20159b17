/// The text form of `secrets.djsec` (docs/FORMAT.md): parsing and writing
/// only, no cryptography. One entry per line, names in clear, sorted, so a
/// diff shows which secret changed and git can merge entry by entry.
public struct StoreFile: Equatable, Sendable {
  public static let version = "1"
  public static let magic = "djsec-store:"
  static let comment = "# djsec encrypted secrets: safe to commit. Change them with djsec only (see docs/FORMAT.md)."

  public struct Recipient: Equatable, Sendable {
    public var label: String
    public var publicKey: [UInt8]
    /// The data key sealed to `publicKey` (crypto_box_seal).
    public var sealedKey: [UInt8]
  }

  /// File id: 16 random bytes, bound into every value's associated data.
  public var id: [UInt8]
  /// Non-secret settings for `render` (hosts, profile), sorted by key.
  public var config: [String: String]
  public var recipients: [Recipient]
  /// Name → nonce ‖ ciphertext ‖ tag.
  public var secrets: [String: [UInt8]]
  public var mac: [UInt8]

  /// Everything the MAC covers: every byte before the `mac:` line.
  public var authenticatedText: String {
    var out = Self.comment + "\n"
    out += "\(Self.magic) \(Self.version)\n"
    out += "id: \(Base64Text.encode(id))\n"
    for key in config.keys.sorted() { out += "config: \(key) \(config[key]!)\n" }
    for r in recipients.sorted(by: { $0.label < $1.label }) {
      out += "recipient: \(r.label) \(Base64Text.encode(r.publicKey)) \(Base64Text.encode(r.sealedKey))\n"
    }
    for name in secrets.keys.sorted() { out += "secret: \(name) \(Base64Text.encode(secrets[name]!))\n" }
    return out
  }

  public var text: String { authenticatedText + "mac: \(Base64Text.encode(mac))\n" }

  public static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.utf8.count <= 128 else { return false }
    let ok: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0)) }
    return !("0"..."9").contains(first) && name.unicodeScalars.allSatisfy(ok)
  }

  static func isValidLabel(_ label: String) -> Bool {
    !label.isEmpty && label.utf8.count <= 64
      && label.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.@".unicodeScalars.contains($0))
      }
  }

  /// Parses the text; `file` names the file in errors. Order and uniqueness
  /// are checked here (a reordered or duplicated entry is an integrity
  /// failure naming the entry); the MAC is checked by the store. Works on the
  /// UTF-8 bytes: a 10,000-entry store parses in milliseconds.
  public static func parse(_ text: String, file: String) throws(StoreError) -> StoreFile {
    try parse(bytes: Array(text.utf8), file: file)
  }

  private static func parse(bytes: [UInt8], file: String) throws(StoreError) -> StoreFile {
    var id: [UInt8]?
    var config: [String: String] = [:]
    var recipients: [Recipient] = []
    var secrets: [String: [UInt8]] = [:]
    var mac: [UInt8]?
    var sawVersion = false
    var stage = 0  // 0 header, 1 config, 2 recipients, 3 secrets, 4 mac
    var lastConfig: [UInt8] = []
    var lastName: [UInt8] = []
    var lastLabel: [UInt8] = []
    var lineNumber = 0
    var start = 0
    let count = bytes.count
    func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
    func base64(_ s: ArraySlice<UInt8>) -> [UInt8]? { Base64Text.decode(Substring(text(s))) }
    while start < count {
      var end = start
      while end < count, bytes[end] != 10 { end += 1 }
      lineNumber += 1
      let line = Array(bytes[start..<end])
      start = end + 1
      let n = lineNumber
      func bad(_ reason: String) -> StoreError { .malformed(file: file, line: n, reason: reason) }
      if line.first == UInt8(ascii: "#") && !sawVersion { continue }
      guard mac == nil else { throw bad("nothing may follow the mac line") }
      let parts = line.split(separator: 32, omittingEmptySubsequences: false)
      let head = parts.first.map(text) ?? ""
      switch head {
      case magic:
        guard parts.count == 2 else { throw bad("expected '\(magic) VERSION'") }
        guard text(parts[1]) == version else { throw .unsupportedVersion(store: file, found: text(parts[1]), supported: version) }
        sawVersion = true
      case "id:":
        guard sawVersion, id == nil else { throw bad("the id line must follow the version line, once") }
        guard parts.count == 2, let v = base64(parts[1]), v.count == 16 else { throw bad("the id must be 16 bytes of base64") }
        id = v
      case "config:":
        guard id != nil, stage <= 1, parts.count >= 3 else { throw bad("a config line must follow the id: 'config: KEY VALUE'") }
        let key = Array(parts[1])
        guard isValidName(bytes: key[...]), key.lexicographicallyPrecedes(lastConfig) == false, key != lastConfig else {
          throw .integrity(store: file, detail: "config \(text(parts[1])) is out of order or repeated")
        }
        config[text(parts[1])] = parts[2...].map(text).joined(separator: " ")
        lastConfig = key
        stage = 1
      case "recipient:":
        guard id != nil, stage <= 2, parts.count == 4 else { throw bad("expected 'recipient: LABEL PUBLIC SEALED-KEY'") }
        let label = text(parts[1])
        guard isValidLabel(label) else { throw bad("invalid recipient label") }
        guard lastLabel.lexicographicallyPrecedes(parts[1]) else {
          throw .integrity(store: file, detail: "recipient \(label) is out of order or repeated")
        }
        guard let pub = base64(parts[2]), pub.count == 32, let sealed = base64(parts[3]), sealed.count == 80 else {
          throw bad("recipient \(label) has a malformed key")
        }
        recipients.append(Recipient(label: label, publicKey: pub, sealedKey: sealed))
        lastLabel = Array(parts[1])
        stage = 2
      case "secret:":
        guard !recipients.isEmpty, stage <= 3, parts.count == 3 else {
          throw bad("expected 'secret: NAME CIPHERTEXT' after the recipients")
        }
        guard isValidName(bytes: parts[1]) else { throw bad("invalid secret name") }
        let name = text(parts[1])
        guard lastName.lexicographicallyPrecedes(parts[1]) else {
          throw .integrity(store: file, detail: "entry \(name) is out of order or repeated")
        }
        guard let value = base64(parts[2]), value.count >= AEAD.nonceBytes + AEAD.tagBytes else {
          throw bad("entry \(name) is not valid base64 ciphertext")
        }
        secrets[name] = value
        lastName = Array(parts[1])
        stage = 3
      case "mac:":
        guard parts.count == 2, let v = base64(parts[1]), v.count == 32 else { throw bad("the mac must be 32 bytes of base64") }
        mac = v
        stage = 4
      default:
        throw bad(sawVersion ? "unknown line" : "not a djsec store (no '\(magic) \(version)' line)")
      }
    }
    guard sawVersion else { throw .malformed(file: file, line: 1, reason: "not a djsec store (no '\(magic) \(version)' line)") }
    guard let id, !recipients.isEmpty else { throw .malformed(file: file, line: lineNumber, reason: "the store has no id or no recipient") }
    guard let mac else { throw .integrity(store: file, detail: "the mac line is missing (the file was cut short)") }
    return StoreFile(id: id, config: config, recipients: recipients, secrets: secrets, mac: mac)
  }

  static func isValidName(bytes: ArraySlice<UInt8>) -> Bool {
    guard let first = bytes.first, bytes.count <= 128 else { return false }
    func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
    return letter(first) && bytes.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
  }
}
