/// A recipient's public identity: the X25519 key others seal the data key to
/// and the Ed25519 key its writes are signed with, shared as one word,
/// `djsec:<base64 of both, 64 bytes>` (docs/FORMAT.md, "Key files").
public struct PublicIdentity: Equatable, Hashable, Sendable {
  public static let prefix = "djsec:"
  public let boxKey: [UInt8]
  public let signKey: [UInt8]

  public init(boxKey: [UInt8], signKey: [UInt8]) {
    self.boxKey = boxKey
    self.signKey = signKey
  }

  public init(_ pair: KeyPair) throws(CryptoError) {
    self.init(boxKey: pair.publicKey, signKey: try pair.signing().publicKey)
  }

  public var text: String { Self.prefix + Base64Text.encode(boxKey + signKey) }

  /// A short, stable name for messages: the first 16 base64 characters of
  /// the signing key, enough to compare by eye with what a teammate sent.
  public var fingerprint: String { String(Base64Text.encode(signKey).prefix(16)) }

  /// Parses `djsec:BASE64`; nil for anything else.
  public static func parse(_ word: Substring) -> PublicIdentity? {
    guard word.hasPrefix(prefix), let bytes = Base64Text.decode(word.dropFirst(prefix.count)), bytes.count == 64 else { return nil }
    return PublicIdentity(boxKey: Array(bytes[0..<32]), signKey: Array(bytes[32..<64]))
  }
}
