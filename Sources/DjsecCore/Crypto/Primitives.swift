internal import CSodium

/// Errors from the cryptographic layer, keeping libsodium's return code.
public enum CryptoError: Error, Equatable, Sendable {
  case authenticationFailed
  case sealedBoxOpenFailed
  case keyDerivationFailed(code: Int32)
  case invalidLength(what: String, expected: Int, found: Int)
}

/// XChaCha20-Poly1305 (IETF) with a random 24-byte nonce per value; the
/// output is nonce ‖ ciphertext ‖ tag, which PyNaCl reads as it is.
public enum AEAD {
  public static let keyBytes = 32
  public static let nonceBytes = 24
  public static let tagBytes = 16

  public static func seal(_ plaintext: [UInt8], key: SecretBytes, associatedData: [UInt8]) -> [UInt8] {
    Sodium.ensureReady()
    precondition(key.count == keyBytes)
    var out = [UInt8](repeating: 0, count: nonceBytes + plaintext.count + tagBytes)
    out.withUnsafeMutableBufferPointer { o in
      randombytes_buf(o.baseAddress!, nonceBytes)
      var written: UInt64 = 0
      _ = key.withUnsafeBytes { k in
        crypto_aead_xchacha20poly1305_ietf_encrypt(
          o.baseAddress! + nonceBytes, &written, plaintext, UInt64(plaintext.count), associatedData, UInt64(associatedData.count),
          nil, o.baseAddress!, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    return out
  }

  public static func open(_ sealed: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws(CryptoError) -> SecretBytes {
    Sodium.ensureReady()
    guard sealed.count >= nonceBytes + tagBytes else { throw .authenticationFailed }
    let plainCount = sealed.count - nonceBytes - tagBytes
    var status: Int32 = -1
    let plain = SecretBytes(count: plainCount) { dst in
      sealed.withUnsafeBufferPointer { s in
        var written: UInt64 = 0
        status = key.withUnsafeBytes { k in
          crypto_aead_xchacha20poly1305_ietf_decrypt(
            dst.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, nil,
            s.baseAddress! + nonceBytes, UInt64(sealed.count - nonceBytes), associatedData, UInt64(associatedData.count),
            s.baseAddress!, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
    }
    guard status == 0 else { throw .authenticationFailed }
    return plain
  }
}

/// An X25519 key pair for sealed boxes.
public final class KeyPair: Sendable {
  public let publicKey: [UInt8]
  public let privateKey: SecretBytes

  public init() {
    Sodium.ensureReady()
    var pub = [UInt8](repeating: 0, count: 32)
    let priv = SecretBytes(count: 32) { _ in }
    priv.withUnsafeBytes { p in
      _ = crypto_box_keypair(&pub, UnsafeMutablePointer(mutating: p.baseAddress!.assumingMemoryBound(to: UInt8.self)))
    }
    publicKey = pub
    privateKey = priv
  }

  /// The pair for an existing private key (its public key is derived).
  public init(privateKey: SecretBytes) throws(CryptoError) {
    Sodium.ensureReady()
    guard privateKey.count == 32 else { throw .invalidLength(what: "private key", expected: 32, found: privateKey.count) }
    var pub = [UInt8](repeating: 0, count: 32)
    _ = privateKey.withUnsafeBytes { crypto_scalarmult_base(&pub, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
    publicKey = pub
    self.privateKey = privateKey
  }
}

/// Anonymous sealed boxes (`crypto_box_seal`): wrap the data key for a recipient.
public enum SealedBox {
  public static func seal(_ message: SecretBytes, to publicKey: [UInt8]) -> [UInt8] {
    Sodium.ensureReady()
    var out = [UInt8](repeating: 0, count: message.count + Int(crypto_box_sealbytes()))
    _ = message.withUnsafeBytes { m in
      crypto_box_seal(&out, m.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(message.count), publicKey)
    }
    return out
  }

  public static func open(_ sealed: [UInt8], with pair: KeyPair) throws(CryptoError) -> SecretBytes {
    Sodium.ensureReady()
    let overhead = Int(crypto_box_sealbytes())
    guard sealed.count > overhead else { throw .sealedBoxOpenFailed }
    var status: Int32 = -1
    let out = SecretBytes(count: sealed.count - overhead) { dst in
      status = pair.privateKey.withUnsafeBytes { sk in
        crypto_box_seal_open(
          dst.baseAddress!.assumingMemoryBound(to: UInt8.self), sealed, UInt64(sealed.count), pair.publicKey,
          sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard status == 0 else { throw .sealedBoxOpenFailed }
    return out
  }
}

/// Keyed BLAKE2b (`crypto_generichash`), 32 bytes.
public enum KeyedHash {
  public static func hash(_ message: [UInt8], key: SecretBytes) -> [UInt8] {
    Sodium.ensureReady()
    var out = [UInt8](repeating: 0, count: 32)
    _ = key.withUnsafeBytes { k in
      crypto_generichash(&out, 32, message, UInt64(message.count), k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count)
    }
    return out
  }

  /// A key derived from `key` for one purpose: BLAKE2b-256(message: purpose, key: key).
  public static func derive(_ purpose: String, from key: SecretBytes) -> SecretBytes {
    let digest = hash(Array(purpose.utf8), key: key)
    return SecretBytes(copying: digest)
  }

  public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && sodium_memcmp(a, b, a.count) == 0
  }
}

/// Argon2id (`crypto_pwhash`) for passphrase-protected key files.
public enum PasswordHash {
  public struct Limits: Sendable, Equatable {
    public var opslimit: UInt64
    public var memlimit: Int
    public static var moderate: Limits {
      Limits(opslimit: UInt64(crypto_pwhash_opslimit_moderate()), memlimit: crypto_pwhash_memlimit_moderate())
    }
    /// The smallest limits libsodium accepts: only for tests (named so nobody misses it).
    public static var testOnlyMinimum: Limits {
      Limits(opslimit: UInt64(crypto_pwhash_opslimit_min()), memlimit: crypto_pwhash_memlimit_min())
    }
  }

  public static let saltBytes = 16

  public static func derive(passphrase: [UInt8], salt: [UInt8], limits: Limits) throws(CryptoError) -> SecretBytes {
    Sodium.ensureReady()
    var status: Int32 = 0
    let key = SecretBytes(count: 32) { out in
      // libsodium wants a non-null pointer even for an empty passphrase.
      let bytes = passphrase.isEmpty ? [UInt8(0)] : passphrase
      status = bytes.withUnsafeBytes { p in
        crypto_pwhash(
          out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32, p.baseAddress!.assumingMemoryBound(to: CChar.self),
          UInt64(passphrase.count), salt, limits.opslimit, limits.memlimit, crypto_pwhash_alg_argon2id13())
      }
    }
    guard status == 0 else { throw .keyDerivationFailed(code: status) }
    return key
  }
}
