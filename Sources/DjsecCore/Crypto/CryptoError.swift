/// Errors from the cryptographic layer, keeping libsodium's return code
/// wherever libsodium gave one. Never holds key material.
public enum CryptoError: Error, Equatable, Sendable {
  case authenticationFailed
  case sealedBoxOpenFailed
  case keyDerivationFailed(code: Int32)
  case invalidLength(what: String, expected: Int, found: Int)
  /// A public key anything sealed to would be readable by anyone.
  case unsafePublicKey(PublicKeyFlaw)
  /// A libsodium function returned an error code.
  case failed(function: String, code: Int32)

  public enum PublicKeyFlaw: String, Equatable, Sendable {
    /// Thirty-two zero bytes.
    case allZero = "all zeros"
    /// A point of small order: every shared secret with it is one of a few
    /// known values (libsodium's crypto_scalarmult returns -1 for it).
    case smallOrder = "a point of small order"
  }
}

extension CryptoError: DjsecError {
  public var message: String {
    switch self {
    case .authenticationFailed: "decryption failed: the data was altered or the key is wrong"
    case .sealedBoxOpenFailed: "the sealed box does not open with this key"
    case .keyDerivationFailed(let code): "Argon2id key derivation failed (crypto_pwhash returned \(code)): not enough memory?"
    case .invalidLength(let what, let expected, let found): "the \(what) has \(found) bytes, not \(expected)"
    case .unsafePublicKey(let flaw): "the public key is \(flaw.rawValue)"
    case .failed(let function, let code): "\(function) failed (returned \(code))"
    }
  }

  public var hint: String? {
    switch self {
    case .keyDerivationFailed: "free some memory and try again"
    case .unsafePublicKey: "ask its owner for the text printed by 'djsec keys new'"
    default: nil
    }
  }
}
