// The only folder that imports CSodium. Everything random or cryptographic in
// djsec goes through these wrappers so the C surface stays in one place.
internal import CSodium

/// libsodium must be initialised once before any other call; `sodium_init` is
/// idempotent and thread-safe, and a global `let` runs it exactly once.
private let sodiumInitResult: Int32 = sodium_init()

enum Sodium {
  /// Ensures libsodium is ready. A failure here means the CSPRNG cannot be
  /// seeded, and continuing would produce predictable keys: stop instead.
  static func ensureReady() {
    precondition(sodiumInitResult >= 0, "libsodium failed to initialise")
  }

  /// "1.0.18", as libsodium reports it.
  static var libraryVersion: String { String(cString: sodium_version_string()) }
}

/// Uniform random numbers from libsodium's CSPRNG.
public enum SecureRandom {
  /// A number in `0..<upperBound`, uniform: `randombytes_uniform` rejects the
  /// values that would make `random % upperBound` biased.
  public static func uniform(_ upperBound: UInt32) -> UInt32 {
    Sodium.ensureReady()
    return randombytes_uniform(upperBound)
  }

  /// `count` random bytes.
  public static func bytes(_ count: Int) -> [UInt8] {
    Sodium.ensureReady()
    var out = [UInt8](repeating: 0, count: count)
    if count > 0 {
      out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
    }
    return out
  }
}

/// Digests of found secrets, so reports can name a secret without showing it.
public enum SecretDigest {
  /// The first 16 bytes of BLAKE2b (crypto_generichash) of `bytes`, in hex.
  public static func hex(_ bytes: [UInt8]) -> String {
    Sodium.ensureReady()
    var out = [UInt8](repeating: 0, count: 16)
    let status = bytes.withUnsafeBufferPointer { input in
      crypto_generichash(&out, 16, input.baseAddress, UInt64(input.count), nil, 0)
    }
    // Unkeyed, with a fixed 16-byte output (within crypto_generichash's 16...64):
    // libsodium has no error to return here, so a failure is a broken build
    // of libsodium, and a finding must never carry a wrong hash.
    precondition(status == 0, "crypto_generichash returned \(status)")
    return out.map { String(format: "%02x", $0) }.joined()
  }
}
