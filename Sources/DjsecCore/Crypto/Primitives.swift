internal import CSodium

/// XChaCha20-Poly1305 (IETF) with a random 24-byte nonce per value; the
/// output is nonce ‖ ciphertext ‖ tag, which PyNaCl reads as it is.
public enum AEAD {
  public static let keyBytes = 32
  public static let nonceBytes = 24
  public static let tagBytes = 16

  public static func seal(_ plaintext: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
    Sodium.ensureReady()
    guard key.count == keyBytes else { throw .invalidLength(what: "data key", expected: keyBytes, found: key.count) }
    var out = [UInt8](repeating: 0, count: nonceBytes + plaintext.count + tagBytes)
    var status: Int32 = -1
    out.withUnsafeMutableBufferPointer { o in
      randombytes_buf(o.baseAddress!, nonceBytes)
      var written: UInt64 = 0
      status = key.withUnsafeBytes { k in
        crypto_aead_xchacha20poly1305_ietf_encrypt(
          o.baseAddress! + nonceBytes, &written, plaintext, UInt64(plaintext.count), associatedData, UInt64(associatedData.count),
          nil, o.baseAddress!, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard status == 0 else { throw .failed(function: "crypto_aead_xchacha20poly1305_ietf_encrypt", code: status) }
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
  public static let keyBytes = 32

  public let publicKey: [UInt8]
  public let privateKey: SecretBytes

  /// A new random key pair.
  public init() throws(CryptoError) {
    Sodium.ensureReady()
    var pub = [UInt8](repeating: 0, count: Self.keyBytes)
    var status: Int32 = -1
    let priv = SecretBytes(count: Self.keyBytes) { p in
      status = crypto_box_keypair(&pub, p.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard status == 0 else { throw .failed(function: "crypto_box_keypair", code: status) }
    publicKey = pub
    privateKey = priv
  }

  /// The pair for an existing private key (its public key is derived).
  public init(privateKey: SecretBytes) throws(CryptoError) {
    Sodium.ensureReady()
    guard privateKey.count == Self.keyBytes else {
      throw .invalidLength(what: "private key", expected: Self.keyBytes, found: privateKey.count)
    }
    var pub = [UInt8](repeating: 0, count: Self.keyBytes)
    let status = privateKey.withUnsafeBytes { crypto_scalarmult_base(&pub, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
    guard status == 0 else { throw .failed(function: "crypto_scalarmult_base", code: status) }
    publicKey = pub
    self.privateKey = privateKey
  }

  /// Refuses a public key that would make a sealed box readable by anyone:
  /// all zeros, or a point of small order, whose product with any scalar is
  /// one of a few known values. libsodium's crypto_scalarmult returns -1 for
  /// those, so one multiplication by a random scalar tells.
  public static func checkPublicKey(_ publicKey: [UInt8]) throws(CryptoError) {
    Sodium.ensureReady()
    guard publicKey.count == keyBytes else { throw .invalidLength(what: "public key", expected: keyBytes, found: publicKey.count) }
    guard publicKey.contains(where: { $0 != 0 }) else { throw .unsafePublicKey(.allZero) }
    let scalar = SecretBytes(random: keyBytes)
    var status: Int32 = -1
    // The product is a throwaway shared secret: it lives and dies in guarded memory.
    _ = SecretBytes(count: keyBytes) { product in
      status = scalar.withUnsafeBytes { n in
        crypto_scalarmult(
          product.baseAddress!.assumingMemoryBound(to: UInt8.self), n.baseAddress!.assumingMemoryBound(to: UInt8.self), publicKey)
      }
    }
    guard status == 0 else { throw .unsafePublicKey(.smallOrder) }
  }
}

/// Anonymous sealed boxes (`crypto_box_seal`): wrap the data key for a recipient.
public enum SealedBox {
  /// Seals `message` to `publicKey`; crypto_box_seal's -1 (a public key of
  /// small order) is thrown, never ignored.
  public static func seal(_ message: SecretBytes, to publicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
    Sodium.ensureReady()
    guard publicKey.count == KeyPair.keyBytes else {
      throw .invalidLength(what: "public key", expected: KeyPair.keyBytes, found: publicKey.count)
    }
    var out = [UInt8](repeating: 0, count: message.count + Int(crypto_box_sealbytes()))
    let status = message.withUnsafeBytes { m in
      crypto_box_seal(&out, m.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(message.count), publicKey)
    }
    guard status == 0 else { throw .failed(function: "crypto_box_seal", code: status) }
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
  public static func hash(_ message: [UInt8], key: SecretBytes) throws(CryptoError) -> [UInt8] {
    Sodium.ensureReady()
    var out = [UInt8](repeating: 0, count: 32)
    // Fails for a key longer than 64 bytes (crypto_generichash_KEYBYTES_MAX).
    let status = key.withUnsafeBytes { k in
      crypto_generichash(&out, 32, message, UInt64(message.count), k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count)
    }
    guard status == 0 else { throw .failed(function: "crypto_generichash", code: status) }
    return out
  }

  /// A key derived from `key` for one purpose: BLAKE2b-256(message: purpose, key: key).
  public static func derive(_ purpose: String, from key: SecretBytes) throws(CryptoError) -> SecretBytes {
    let digest = try hash(Array(purpose.utf8), key: key)
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

  /// The limits djsec accepts from a key file. A key file is data someone
  /// could hand you: without bounds, its `argon2id:` line could make djsec
  /// work for hours or ask for terabytes. From libsodium's minimum (1) to four
  /// times SENSITIVE (4 × 4 = 16) passes.
  public static var opslimitBounds: ClosedRange<UInt64> {
    UInt64(crypto_pwhash_opslimit_min())...4 * UInt64(crypto_pwhash_opslimit_sensitive())
  }

  /// From libsodium's minimum (8 KiB) to 4 GiB (four times SENSITIVE's 1 GiB).
  public static var memlimitBounds: ClosedRange<Int> {
    crypto_pwhash_memlimit_min()...4 * crypto_pwhash_memlimit_sensitive()
  }

  public static let saltBytes = 16

  public static func derive(passphrase: [UInt8], salt: [UInt8], limits: Limits) throws(CryptoError) -> SecretBytes {
    Sodium.ensureReady()
    guard salt.count == saltBytes else { throw .invalidLength(what: "Argon2id salt", expected: saltBytes, found: salt.count) }
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
