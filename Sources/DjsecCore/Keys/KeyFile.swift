import Foundation

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

  /// The file's text for a new key pair; with a passphrase the private key is
  /// sealed under a key derived with Argon2id.
  public static func text(label: String, pair: KeyPair, passphrase: [UInt8]?, limits: PasswordHash.Limits = .moderate) throws(CryptoError)
    -> String
  {
    var out =
      "# djsec private key: never commit or share this file\ndjsec-key: 1\nlabel: \(label)\npublic: \(Base64Text.encode(pair.publicKey))\n"
    if let passphrase {
      let salt = SecureRandom.bytes(PasswordHash.saltBytes)
      let key = try PasswordHash.derive(passphrase: passphrase, salt: salt, limits: limits)
      let sealed = pair.privateKey.withUnsafeBytes { AEAD.seal(Array($0), key: key, associatedData: associatedData(pair.publicKey)) }
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

  public static func read(_ url: URL) throws(StoreError) -> KeyFile {
    guard let data = FileManager.default.contents(atPath: url.path) else { throw .file(.cannotRead(path: url.path, errno: 2)) }
    var fields: [String: Substring] = [:]
    for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.hasPrefix("#") {
      guard let colon = line.firstIndex(of: ":") else { throw .malformed(file: url.path, line: i + 1, reason: "expected 'field: value'") }
      fields[String(line[..<colon])] = line[line.index(after: colon)...].drop(while: { $0 == " " })
    }
    guard fields["djsec-key"] == "1" else { throw .malformed(file: url.path, line: 1, reason: "not a djsec key file (version 1)") }
    guard let label = fields["label"], let pubText = fields["public"], let pub = Base64Text.decode(pubText), pub.count == 32 else {
      throw .malformed(file: url.path, line: 1, reason: "missing label or public key")
    }
    if let privText = fields["private"] {
      guard let priv = Base64Text.decode(privText), priv.count == 32 else {
        throw .malformed(file: url.path, line: 1, reason: "bad private key")
      }
      return KeyFile(path: url.path, label: String(label), publicKey: pub, secret: .plain(SecretBytes(copying: priv)))
    }
    guard let kdf = fields["argon2id"], let sealedText = fields["sealed-private"], let sealed = Base64Text.decode(sealedText) else {
      throw .malformed(file: url.path, line: 1, reason: "no private key")
    }
    let k = kdf.split(separator: " ")
    guard k.count == 3, let ops = UInt64(k[0]), let mem = Int(k[1]), let salt = Base64Text.decode(k[2]),
      salt.count == PasswordHash.saltBytes
    else { throw .malformed(file: url.path, line: 1, reason: "bad argon2id parameters") }
    return KeyFile(
      path: url.path, label: String(label), publicKey: pub,
      secret: .passphrase(limits: .init(opslimit: ops, memlimit: mem), salt: salt, sealed: sealed))
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
      } catch { throw .wrongPassphrase(keyFile: path) }
    }
    do {
      let pair = try KeyPair(privateKey: privateKey)
      guard pair.publicKey == publicKey else {
        throw StoreError.malformed(file: path, line: 1, reason: "the private key does not match the public key")
      }
      return pair
    } catch let e as StoreError {
      throw e
    } catch { throw .malformed(file: path, line: 1, reason: "bad private key") }
  }

  /// Parses a public identity given as text (`djsec:BASE64 [LABEL]`) or as
  /// the path of a `.pub` file. A version 1 `.pub` (a bare X25519 key) has
  /// no signing key and is refused with a hint to make a new one.
  public static func parsePublic(_ argument: String) throws(StoreError) -> (identity: PublicIdentity, label: String?) {
    var text = argument
    if FileManager.default.fileExists(atPath: argument), let data = FileManager.default.contents(atPath: argument) {
      text = String(decoding: data, as: UTF8.self)
    }
    let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard let first = parts.first else { throw .invalidPublicKey(argument) }
    guard let identity = PublicIdentity.parse(first) else {
      if let bare = Base64Text.decode(first), bare.count == 32 { throw .oldPublicKey(argument) }
      throw .invalidPublicKey(argument)
    }
    return (identity, parts.count > 1 ? String(parts[1]) : nil)
  }
}

/// Where the private keys that may open a store come from, in order:
/// `DJSEC_PRIVATE_KEY` (base64, for CI), the file named by `DJSEC_KEY_FILE`,
/// then every `*.key` in the project's `keys/` folder.
public struct KeyRing: Sendable {
  public var environment: [String: String]
  public var keysFolder: URL

  public init(keysFolder: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.keysFolder = keysFolder
    self.environment = environment
  }

  public enum Candidate: Sendable {
    case pair(KeyPair, source: String)
    case file(KeyFile)

    public var publicKey: [UInt8] {
      switch self {
      case .pair(let p, _): p.publicKey
      case .file(let f): f.publicKey
      }
    }
  }

  public func candidates() throws(StoreError) -> [Candidate] {
    var out: [Candidate] = []
    if let b64 = environment["DJSEC_PRIVATE_KEY"] {
      guard let bytes = Base64Text.decode(Substring(b64.trimmingCharacters(in: .whitespacesAndNewlines))), bytes.count == 32,
        let pair = try? KeyPair(privateKey: SecretBytes(copying: bytes))
      else { throw .malformed(file: "DJSEC_PRIVATE_KEY", line: 1, reason: "expected 32 bytes of base64") }
      out.append(.pair(pair, source: "DJSEC_PRIVATE_KEY"))
    }
    if let path = environment["DJSEC_KEY_FILE"] {
      out.append(.file(try KeyFile.read(URL(fileURLWithPath: path))))
    }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: keysFolder.path)) ?? []
    for name in names.sorted() where name.hasSuffix(".key") {
      out.append(.file(try KeyFile.read(keysFolder.appendingPathComponent(name))))
    }
    return out
  }
}
