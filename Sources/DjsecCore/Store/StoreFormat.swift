/// The text form of `secrets.djsec` (docs/FORMAT.md): parsing and writing
/// only, no cryptography. One entry per line, names in clear, sorted, so a
/// diff shows which secret changed and git can merge entry by entry.
/// Version 2 adds the generation, each recipient's signing key and the
/// writer's signature; version 1 is still read (and upgraded by `djsec trust`).
public struct StoreFile: Equatable, Sendable {
  public static let currentVersion = 2
  public static let magic = "djsec-store:"
  static let comment = "# djsec encrypted secrets: safe to commit. Change them with djsec only (see docs/FORMAT.md)."
  /// Bigger files and lines are refused before parsing (docs/FORMAT.md, "Limits").
  public static let maxFileBytes = 64 << 20
  public static let maxLineBytes = 1 << 20
  /// 2^53: the largest generation every JSON reader keeps exactly.
  public static let maxGeneration: UInt64 = 1 << 53

  public struct Recipient: Equatable, Sendable {
    public var label: String
    public var publicKey: [UInt8]
    /// The Ed25519 key this recipient signs with (nil in version 1).
    public var signKey: [UInt8]?
    /// The data key sealed to `publicKey` (crypto_box_seal).
    public var sealedKey: [UInt8]

    public var identity: PublicIdentity? { signKey.map { PublicIdentity(boxKey: publicKey, signKey: $0) } }
  }

  public struct Signature: Equatable, Sendable {
    public var signer: [UInt8]
    public var bytes: [UInt8]
  }

  public var version: Int
  /// Store id: 16 random bytes, bound into every value's associated data;
  /// in version 2 it stays for the store's whole life.
  public var id: [UInt8]
  /// One more than the highest generation the writer had seen (version 2).
  public var generation: UInt64
  /// Non-secret settings for `render` (hosts, profile), sorted by key.
  public var config: [String: String]
  public var recipients: [Recipient]
  /// Name → nonce ‖ ciphertext ‖ tag.
  public var secrets: [String: [UInt8]]
  public var mac: [UInt8]
  public var signature: Signature?

  public init(
    version: Int = currentVersion, id: [UInt8], generation: UInt64 = 1, config: [String: String], recipients: [Recipient],
    secrets: [String: [UInt8]], mac: [UInt8], signature: Signature? = nil
  ) {
    self.version = version
    self.id = id
    self.generation = generation
    self.config = config
    self.recipients = recipients
    self.secrets = secrets
    self.mac = mac
    self.signature = signature
  }

  /// Everything the MAC covers: every byte before the `mac:` line.
  public var authenticatedText: String {
    var out = Self.comment + "\n"
    out += "\(Self.magic) \(version)\n"
    out += "id: \(Base64Text.encode(id))\n"
    if version >= 2 { out += "generation: \(generation)\n" }
    for key in config.keys.sorted() { out += "config: \(key) \(config[key]!)\n" }
    for r in recipients.sorted(by: { $0.label < $1.label }) {
      let sign = version >= 2 ? " " + Base64Text.encode(r.signKey ?? []) : ""
      out += "recipient: \(r.label) \(Base64Text.encode(r.publicKey))\(sign) \(Base64Text.encode(r.sealedKey))\n"
    }
    for name in secrets.keys.sorted() { out += "secret: \(name) \(Base64Text.encode(secrets[name]!))\n" }
    return out
  }

  /// Everything the signature covers: every byte before the `signature:` line.
  public var signedText: String { authenticatedText + "mac: \(Base64Text.encode(mac))\n" }

  public var text: String {
    guard version >= 2, let signature else { return signedText }
    return signedText + "signature: \(Base64Text.encode(signature.signer)) \(Base64Text.encode(signature.bytes))\n"
  }

  /// Whether `bytes` (this file as read) carry a valid signature over every
  /// byte before the `signature:` line by a key of one of its own recipients.
  /// Whether that signer is trusted is TrustPolicy's question.
  func signatureVerifies(_ bytes: [UInt8]) -> Bool {
    guard let signature, signer != nil, let start = SecretStore.lineStart(of: "signature: ", in: bytes) else { return false }
    return DjsecCore.Signature.verify(signature.bytes, of: Array(bytes[..<start]), publicKey: signature.signer)
  }

  /// The recipient whose signing key made the signature.
  public var signer: Recipient? {
    guard let signature else { return nil }
    return recipients.first { $0.signKey == signature.signer }
  }

  public static func isValidName(_ name: String) -> Bool {
    isValidName(bytes: Array(name.utf8)[...])
  }

  static func isValidLabel(_ label: String) -> Bool {
    !label.isEmpty && label.utf8.count <= 64
      && label.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.@".unicodeScalars.contains($0))
      }
  }

  static func isValidName(bytes: ArraySlice<UInt8>) -> Bool {
    guard let first = bytes.first, bytes.count <= 128 else { return false }
    func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
    return letter(first) && bytes.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
  }

  /// Parses the text; `file` names the file in errors. Order and uniqueness
  /// are checked here (a reordered or duplicated entry is an integrity
  /// failure naming the entry); the MAC and signature are checked by the
  /// store. Works on the UTF-8 bytes: a 10,000-entry store parses in milliseconds.
  public static func parse(_ text: String, file: String) throws(StoreError) -> StoreFile {
    try parse(bytes: Array(text.utf8), file: file)
  }

  public static func parse(bytes: [UInt8], file: String) throws(StoreError) -> StoreFile {
    guard bytes.count <= maxFileBytes else { throw .tooLarge(file: file, limit: "\(maxFileBytes >> 20) MiB") }
    var parser = StoreParser(file: file)
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != 10 { end += 1 }
      guard end - start <= maxLineBytes else { throw .tooLarge(file: file, limit: "\(maxLineBytes >> 20) MiB per line") }
      try parser.line(bytes[start..<end])
      start = end + 1
    }
    return try parser.finish()
  }
}

/// The parser's state, one line kind per method so each rule stays short.
private struct StoreParser {
  let file: String
  var version: Int?
  var id: [UInt8]?
  var generation: UInt64?
  var config: [String: String] = [:]
  var recipients: [StoreFile.Recipient] = []
  var secrets: [String: [UInt8]] = [:]
  var mac: [UInt8]?
  var signature: StoreFile.Signature?
  var stage = 0  // 0 header, 1 config, 2 recipients, 3 secrets, 4 mac, 5 signature
  var lastConfig: [UInt8] = []
  var lastName: [UInt8] = []
  var lastLabel: [UInt8] = []
  var lineNumber = 0

  init(file: String) { self.file = file }

  /// The line's space-separated fields (empty ones kept), without the
  /// generic `split`, which cost more than the line's cryptography.
  static func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
    var parts: [ArraySlice<UInt8>] = []
    parts.reserveCapacity(4)
    var start = line.startIndex
    line.withUnsafeBufferPointer { bytes in
      for (offset, byte) in bytes.enumerated() where byte == 32 {
        let index = line.startIndex + offset
        parts.append(line[start..<index])
        start = index + 1
      }
    }
    parts.append(line[start..<line.endIndex])
    return parts
  }

  /// git's conflict markers, as bytes.
  static let markers = ["<<<<<<<", ">>>>>>>", "=======", "|||||||"].map { Array($0.utf8) }
  static let markerBytes = Set(markers.map { $0[0] })

  func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
  func base64(_ s: ArraySlice<UInt8>) -> [UInt8]? { Base64Text.decode(bytes: s) }
  func bad(_ reason: String) -> StoreError { .malformed(file: file, line: lineNumber, reason: reason) }

  mutating func line(_ line: ArraySlice<UInt8>) throws(StoreError) {
    lineNumber += 1
    // Checked on the first byte before anything is built: this runs once per entry.
    if let first = line.first, Self.markerBytes.contains(first), Self.markers.contains(where: { line.starts(with: $0) }) {
      throw .conflictMarkers(file: file, line: lineNumber)
    }
    if line.first == UInt8(ascii: "#") && version == nil { return }
    guard stage < 5, !(stage == 4 && version == 1) else {
      throw bad(version == 1 ? "nothing may follow the mac line" : "nothing may follow the signature line")
    }
    let parts = Self.fields(line)
    switch parts.first.map(text) ?? "" {
    case StoreFile.magic: try versionLine(parts)
    case "id:": try idLine(parts)
    case "generation:": try generationLine(parts)
    case "config:": try configLine(parts)
    case "recipient:": try recipientLine(parts)
    case "secret:": try secretLine(parts)
    case "mac:": try macLine(parts)
    case "signature:": try signatureLine(parts)
    default: throw bad(version != nil ? "unknown line" : "not a djsec store (no '\(StoreFile.magic) VERSION' line)")
    }
  }

  mutating func versionLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    guard version == nil, parts.count == 2 else { throw bad("expected '\(StoreFile.magic) VERSION', once") }
    guard let v = Int(text(parts[1])), v == 1 || v == 2 else {
      throw .unsupportedVersion(store: file, found: text(parts[1]), supported: "1 and 2")
    }
    version = v
  }

  mutating func idLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    guard version != nil, id == nil else { throw bad("the id line must follow the version line, once") }
    guard parts.count == 2, let v = base64(parts[1]), v.count == 16 else { throw bad("the id must be 16 bytes of base64") }
    id = v
  }

  mutating func generationLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    guard version == 2, id != nil, generation == nil else { throw bad("the generation line must follow the id line, once (version 2)") }
    let digits = parts.count == 2 ? parts[1] : []
    guard !digits.isEmpty, digits.first != UInt8(ascii: "0"), digits.count <= 16, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
      let g = UInt64(text(digits)), g <= StoreFile.maxGeneration
    else { throw bad("the generation must be a number from 1 to 2^53") }
    generation = g
  }

  var headerDone: Bool { id != nil && (version == 1 || generation != nil) }

  mutating func configLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    guard headerDone, stage <= 1, parts.count >= 3 else { throw bad("a config line must follow the header: 'config: KEY VALUE'") }
    let key = Array(parts[1])
    guard StoreFile.isValidName(bytes: key[...]), !key.lexicographicallyPrecedes(lastConfig), key != lastConfig else {
      throw .integrity(store: file, detail: "config \(text(parts[1])) is out of order or repeated")
    }
    config[text(parts[1])] = parts[2...].map(text).joined(separator: " ")
    lastConfig = key
    stage = 1
  }

  mutating func recipientLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    let fields = version == 2 ? 5 : 4
    guard headerDone, stage <= 2, parts.count == fields else {
      throw bad(
        version == 2 ? "expected 'recipient: LABEL BOX-PUBLIC SIGN-PUBLIC SEALED-KEY'" : "expected 'recipient: LABEL PUBLIC SEALED-KEY'")
    }
    let label = text(parts[1])
    guard StoreFile.isValidLabel(label) else { throw bad("invalid recipient label") }
    guard lastLabel.lexicographicallyPrecedes(parts[1]) else {
      throw .integrity(store: file, detail: "recipient \(label) is out of order or repeated")
    }
    var sign: [UInt8]?
    if version == 2 {
      guard let s = base64(parts[3]), s.count == 32 else { throw bad("recipient \(label) has a malformed signing key") }
      sign = s
    }
    guard let pub = base64(parts[2]), pub.count == 32, let sealed = base64(parts[fields - 1]), sealed.count == 80 else {
      throw bad("recipient \(label) has a malformed key")
    }
    recipients.append(.init(label: label, publicKey: pub, signKey: sign, sealedKey: sealed))
    lastLabel = Array(parts[1])
    stage = 2
  }

  mutating func secretLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    guard !recipients.isEmpty, stage <= 3, parts.count == 3 else { throw bad("expected 'secret: NAME CIPHERTEXT' after the recipients") }
    guard StoreFile.isValidName(bytes: parts[1]) else { throw bad("invalid secret name") }
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
  }

  mutating func macLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    guard headerDone, !recipients.isEmpty, stage < 4 else { throw bad("the mac line must follow the recipients and secrets") }
    guard parts.count == 2, let v = base64(parts[1]), v.count == 32 else { throw bad("the mac must be 32 bytes of base64") }
    mac = v
    stage = 4
  }

  mutating func signatureLine(_ parts: [ArraySlice<UInt8>]) throws(StoreError) {
    guard version == 2, stage == 4 else { throw bad("the signature line must follow the mac line (version 2)") }
    guard parts.count == 3, let signer = base64(parts[1]), signer.count == 32, let sig = base64(parts[2]), sig.count == 64 else {
      throw bad("expected 'signature: SIGN-PUBLIC SIGNATURE' (32 and 64 bytes of base64)")
    }
    signature = .init(signer: signer, bytes: sig)
    stage = 5
  }

  func finish() throws(StoreError) -> StoreFile {
    guard let version else { throw .malformed(file: file, line: 1, reason: "not a djsec store (no '\(StoreFile.magic) VERSION' line)") }
    guard let id, headerDone, !recipients.isEmpty else {
      throw .malformed(file: file, line: lineNumber, reason: "the store has no id, generation or recipient")
    }
    guard let mac else { throw .integrity(store: file, detail: "the mac line is missing (the file was cut short)") }
    if version == 2 && signature == nil { throw .integrity(store: file, detail: "the signature line is missing (the file was cut short)") }
    return StoreFile(
      version: version, id: id, generation: generation ?? 0, config: config, recipients: recipients, secrets: secrets, mac: mac,
      signature: signature)
  }
}
