internal import CSodium

/// Ed25519 signatures (`crypto_sign_detached`): every write of a version 2
/// store is signed by the recipient who made it, so a reader can refuse a
/// store that anyone else produced (docs/SECURITY.md).
///
/// A recipient's signing key is derived from its X25519 private key, so one
/// key file (and one `DJSEC_PRIVATE_KEY`) holds both halves of an identity
/// and old key files gain a signing key without being rewritten.
public final class SigningKeyPair: Sendable {
  public static let publicKeyBytes = 32
  public static let signatureBytes = 64
  static let seedPurpose = "djsec-sign-v1"

  public let publicKey: [UInt8]
  private let secretKey: SecretBytes

  /// seed = BLAKE2b-256(message: "djsec-sign-v1", key: X25519 private key);
  /// the pair is `crypto_sign_seed_keypair(seed)` (docs/FORMAT.md).
  public init(derivedFrom pair: KeyPair) throws(CryptoError) {
    Sodium.ensureReady()
    let seed = try KeyedHash.derive(Self.seedPurpose, from: pair.privateKey)
    var pub = [UInt8](repeating: 0, count: Self.publicKeyBytes)
    var status: Int32 = -1
    let secret = SecretBytes(count: Int(crypto_sign_secretkeybytes())) { sk in
      status = seed.withUnsafeBytes { s in
        crypto_sign_seed_keypair(
          &pub, sk.baseAddress!.assumingMemoryBound(to: UInt8.self), s.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard status == 0 else { throw .failed(function: "crypto_sign_seed_keypair", code: status) }
    publicKey = pub
    secretKey = secret
  }

  public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
    var signature = [UInt8](repeating: 0, count: Self.signatureBytes)
    let status = secretKey.withUnsafeBytes { sk in
      crypto_sign_detached(&signature, nil, message, UInt64(message.count), sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard status == 0 else { throw .failed(function: "crypto_sign_detached", code: status) }
    return signature
  }
}

public enum Signature {
  /// True when `signature` is `publicKey`'s Ed25519 signature of `message`.
  /// libsodium refuses small-order keys and non-canonical signatures here.
  public static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
    Sodium.ensureReady()
    guard signature.count == SigningKeyPair.signatureBytes, isValidPublicKey(publicKey) else { return false }
    return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
  }

  /// A point on the curve, in the main subgroup, not of small order.
  public static func isValidPublicKey(_ key: [UInt8]) -> Bool {
    Sodium.ensureReady()
    return key.count == SigningKeyPair.publicKeyBytes && crypto_core_ed25519_is_valid_point(key) == 1
  }
}

/// Subkeys of one master key for distinct purposes (`crypto_kdf_derive_from_key`,
/// context fixed per format), so the values, the MAC and a fingerprint never
/// share a key.
public enum Subkey {
  public static func derive(_ id: UInt64, context: String, from key: SecretBytes) throws(CryptoError) -> SecretBytes {
    Sodium.ensureReady()
    let ctx = Array(context.utf8)
    precondition(ctx.count == Int(crypto_kdf_contextbytes()) && key.count == Int(crypto_kdf_keybytes()))
    var status: Int32 = -1
    let out = SecretBytes(count: 32) { dst in
      status = key.withUnsafeBytes { k in
        ctx.withUnsafeBytes { c in
          crypto_kdf_derive_from_key(
            dst.baseAddress!.assumingMemoryBound(to: UInt8.self), 32, id, c.baseAddress!.assumingMemoryBound(to: CChar.self),
            k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
    }
    guard status == 0 else { throw .failed(function: "crypto_kdf_derive_from_key", code: status) }
    return out
  }
}

extension KeyPair {
  /// The Ed25519 pair derived from this X25519 pair.
  public func signing() throws(CryptoError) -> SigningKeyPair { try SigningKeyPair(derivedFrom: self) }
}
