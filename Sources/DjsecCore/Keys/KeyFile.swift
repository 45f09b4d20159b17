import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A private key file, `keys/LABEL.key` (mode 0600, ignored by git):
///
///     # djsec private key: never commit or share this file
///     djsec-key: 1
///     label: alice
///     public: BASE64
///     private: BASE64                         (plain), or
///     argon2id: OPSLIMIT MEMLIMIT SALT        (with --passphrase)
///     sealed-private: BASE64                  nonce ‖ XChaCha20-Poly1305 of the key
///
/// and its public half, `keys/LABEL.pub`: `BASE64 LABEL`.
public struct KeyFile: Sendable {
  public let path: String
  public let label: String
  public let publicKey: [UInt8]
  enum Secret: Sendable {
    case plain(SecretBytes)
    case passphrase(limits: PasswordHash.Limits, salt: [UInt8], sealed: [UInt8])
  }
  let secret: Secret

  public var isPassphraseProtected: Bool {
    if case .passphrase = secret { return true }
    return false
  }

  static func associatedData(_ publicKey: [UInt8]) -> [UInt8] { Array("djsec-key-v1".utf8) + publicKey }

  /// Labels of keys and recipients: 1 to 64 of `A-Z a-z 0-9 . _ @ -`.
  public static func isValidLabel(_ label: String) -> Bool { StoreFile.isValidLabel(label) }

  /// The file's text for a new key pair; with a passphrase the private key is
  /// sealed under a key derived with Argon2id. An empty passphrase is refused:
  /// the key would look protected and open with nothing.
  public static func text(label: String, pair: KeyPair, passphrase: [UInt8]?, limits: PasswordHash.Limits = .moderate)
    throws(KeyFileError) -> String
  {
    var out =
      header + "djsec-key: 1\nlabel: \(label)\npublic: \(Base64Text.encode(pair.publicKey))\n"
    if let passphrase {
      guard !passphrase.isEmpty else { throw .emptyPassphrase }
      let salt = SecureRandom.bytes(PasswordHash.saltBytes)
      let sealed: [UInt8]
      do {
        let key = try PasswordHash.derive(passphrase: passphrase, salt: salt, limits: limits)
        sealed = try AEAD.seal(pair.privateKey.withUnsafeBytes { Array($0) }, key: key, associatedData: associatedData(pair.publicKey))
      } catch { throw .crypto(error) }
      out += "argon2id: \(limits.opslimit) \(limits.memlimit) \(Base64Text.encode(salt))\nsealed-private: \(Base64Text.encode(sealed))\n"
    } else {
      out += "private: " + pair.privateKey.withUnsafeBytes { Base64Text.encode(Array($0)) } + "\n"
    }
    return out
  }

  /// The `.pub` line: the public identity (both public keys) and the label.
  public static func publicText(label: String, identity: PublicIdentity) -> String {
    "\(identity.text) \(label)\n"
  }

  /// Reads a key file that is safe to use: the user's own (owner = effective
  /// uid) and closed to others (no group or other permission bits, so 0600 or
  /// stricter), as ssh asks of its keys. Whether git tracks it is for the
  /// caller to check (KeyRing), which asks git once per folder.
  public static func read(_ url: URL) throws(KeyFileError) -> KeyFile {
    let path = url.path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, errno: errno) }
    guard info.st_uid == geteuid() else { throw .foreignOwner(path: path, uid: info.st_uid) }
    guard info.st_mode & 0o077 == 0 else { throw .openToOthers(path: path, mode: UInt32(info.st_mode & 0o7777)) }
    // A key file is a few hundred bytes; more is not a key file.
    var data = [UInt8](repeating: 0, count: 4096)
    var count = 0
    while count < data.count {
      let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else { throw .unreadable(path: path, errno: errno) }
      if n == 0 { break }
      count += n
    }
    guard count < data.count else { throw .malformed(path: path, line: 1, reason: "too large for a key file") }
    let text = String(decoding: data[..<count], as: UTF8.self)
    do { return try parse(text, path: path) } catch {
      if isCutShort(data[..<count], text: text) { throw .incomplete(path: path, size: count) }
      throw error
    }
  }

  static let header = "# djsec private key: never commit or share this file\n"

  /// Whether a key file that does not parse is one djsec began to write and
  /// did not finish (an older djsec killed between its open and its write):
  /// empty, zeros (what some file systems show after a power cut), or the
  /// start of what `text` writes, cut off before the private key or mid-line.
  static func isCutShort(_ bytes: ArraySlice<UInt8>, text: String) -> Bool {
    if bytes.allSatisfy({ $0 == 0 }) { return true }
    if !text.hasSuffix("\n") && header.hasPrefix(text) { return true }
    guard text.hasPrefix(header) else { return false }
    let hasPrivate = text.split(separator: "\n").contains { $0.hasPrefix("private: ") || $0.hasPrefix("sealed-private: ") }
    return !text.hasSuffix("\n") || !hasPrivate
  }

  public static func parse(_ text: String, path: String) throws(KeyFileError) -> KeyFile {
    var fields: [String: (line: Int, value: Substring)] = [:]
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty && !line.hasPrefix("#")
    {
      guard let colon = line.firstIndex(of: ":") else { throw .malformed(path: path, line: i + 1, reason: "expected 'field: value'") }
      fields[String(line[..<colon])] = (i + 1, line[line.index(after: colon)...].drop(while: { $0 == " " }))
    }
    func line(_ field: String) -> Int { fields[field]?.line ?? 1 }
    guard fields["djsec-key"]?.value == "1" else {
      throw .malformed(path: path, line: line("djsec-key"), reason: "not a djsec key file (version 1)")
    }
    guard let label = fields["label"]?.value, let pubText = fields["public"]?.value else {
      throw .malformed(path: path, line: 1, reason: "missing label or public key")
    }
    // Found by `make fuzz`: an empty or odd label would name the key in store lines and messages.
    guard isValidLabel(String(label)) else {
      throw .malformed(path: path, line: line("label"), reason: "the label must be 1 to 64 of A-Z a-z 0-9 . _ @ -")
    }
    guard let pub = Base64Text.decode(pubText), pub.count == KeyPair.keyBytes else {
      throw .malformed(path: path, line: line("public"), reason: "the public key is not 32 bytes of base64")
    }
    do { try KeyPair.checkPublicKey(pub) } catch {
      guard case .unsafePublicKey(let flaw) = error else { throw .crypto(error) }
      throw .unsafePublicKey(key: String(pubText), file: path, flaw: flaw)
    }
    if let privText = fields["private"]?.value {
      guard let priv = Base64Text.decode(privText), priv.count == KeyPair.keyBytes else {
        throw .malformed(path: path, line: line("private"), reason: "the private key is not 32 bytes of base64")
      }
      return KeyFile(path: path, label: String(label), publicKey: pub, secret: .plain(SecretBytes(copying: priv)))
    }
    guard let kdf = fields["argon2id"]?.value, let sealedText = fields["sealed-private"]?.value, let sealed = Base64Text.decode(sealedText)
    else { throw .malformed(path: path, line: 1, reason: "no private key") }
    let k = kdf.split(separator: " ")
    guard k.count == 3, let ops = UInt64(k[0]), let mem = Int(k[1]), let salt = Base64Text.decode(k[2]),
      salt.count == PasswordHash.saltBytes
    else { throw .malformed(path: path, line: line("argon2id"), reason: "bad argon2id parameters") }
    let limits = PasswordHash.Limits(opslimit: ops, memlimit: mem)
    try checkBounds(limits, path: path)
    return KeyFile(path: path, label: String(label), publicKey: pub, secret: .passphrase(limits: limits, salt: salt, sealed: sealed))
  }

  /// Argon2id's work comes from the file, so it is bounded (see
  /// PasswordHash.opslimitBounds and memlimitBounds) before any is done.
  static func checkBounds(_ limits: PasswordHash.Limits, path: String) throws(KeyFileError) {
    let ops = PasswordHash.opslimitBounds
    guard ops.contains(limits.opslimit) else {
      throw .argon2idOutOfBounds(
        path: path, limit: "opslimit", value: "\(limits.opslimit)", bounds: "\(ops.lowerBound)...\(ops.upperBound)")
    }
    let mem = PasswordHash.memlimitBounds
    guard mem.contains(limits.memlimit) else {
      throw .argon2idOutOfBounds(
        path: path, limit: "memlimit", value: "\(limits.memlimit)", bounds: "\(mem.lowerBound)...\(mem.upperBound)")
    }
  }

  /// The key pair; `passphrase` is asked for only when the file needs one.
  public func unlock(passphrase: () throws(StoreError) -> [UInt8]) throws(StoreError) -> KeyPair {
    let privateKey: SecretBytes
    switch secret {
    case .plain(let bytes):
      privateKey = bytes
    case .passphrase(let limits, let salt, let sealed):
      let words = try passphrase()
      do {
        let key = try PasswordHash.derive(passphrase: words, salt: salt, limits: limits)
        privateKey = try AEAD.open(sealed, key: key, associatedData: Self.associatedData(publicKey))
      } catch {
        if case .keyDerivationFailed = error { throw .key(.crypto(error)) }
        throw .key(.wrongPassphrase(keyFile: path))
      }
    }
    let pair: KeyPair
    do { pair = try KeyPair(privateKey: privateKey) } catch { throw .key(.malformed(path: path, line: 1, reason: "bad private key")) }
    guard pair.publicKey == publicKey else {
      throw .key(.malformed(path: path, line: 1, reason: "the private key does not match the public key"))
    }
    return pair
  }

  /// Parses a public identity given as text (`djsec:BASE64 [LABEL]`) or as
  /// the path of a `.pub` file, and refuses one whose keys are unsafe
  /// (anything sealed to it would be readable by anyone). A version 1 `.pub`
  /// (a bare X25519 key) has no signing key and is refused with a hint.
  public static func parsePublic(_ argument: String) throws(KeyFileError) -> (identity: PublicIdentity, label: String?) {
    var text = argument
    var file: String?
    if FileManager.default.fileExists(atPath: argument), let data = FileManager.default.contents(atPath: argument) {
      text = String(decoding: data, as: UTF8.self)
      file = argument
    }
    let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard let first = parts.first else { throw .notAPublicKey(argument) }
    guard let identity = PublicIdentity.parse(first) else {
      if let bare = Base64Text.decode(first), bare.count == KeyPair.keyBytes { throw .oldPublicKey(argument) }
      throw .notAPublicKey(argument)
    }
    do { try KeyPair.checkPublicKey(identity.boxKey) } catch {
      guard case .unsafePublicKey(let flaw) = error else { throw .crypto(error) }
      throw .unsafePublicKey(key: String(first), file: file, flaw: flaw)
    }
    guard Signature.isValidPublicKey(identity.signKey) else {
      throw .unsafePublicKey(key: String(first), file: file, flaw: .smallOrder)
    }
    return (identity, parts.count > 1 ? String(parts[1]) : nil)
  }
}
