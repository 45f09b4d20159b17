/// Generates Django SECRET_KEY values from libsodium's CSPRNG.
public enum SecretKeyGenerator {
  /// Django's security.W009 asks for at least 50 characters.
  public static let minimumLength = 50

  /// Draws `length` characters uniformly from `alphabet`. No other rule is
  /// applied, which is what the statistical tests check.
  public static func uniformString(length: Int, alphabet: [Character]) -> String {
    precondition(!alphabet.isEmpty && alphabet.count <= Int(UInt32.max))
    var out = ""
    out.reserveCapacity(length)
    for _ in 0..<length {
      out.append(alphabet[Int(SecureRandom.uniform(UInt32(alphabet.count)))])
    }
    return out
  }

  /// A new SECRET_KEY. It never starts with `$`: django-environ reads a leading
  /// `$` as a reference to another variable and refuses the key (about 2% of
  /// Django's own keys). Only the first character is redrawn, so the loss is
  /// log2(50/49) ≈ 0.03 bits.
  public static func generate(length: Int = minimumLength, alphabet: KeyAlphabet = .django) throws(KeyError) -> String {
    guard length >= minimumLength else {
      throw .tooShort(requested: length, minimum: minimumLength)
    }
    let chars = alphabet.characters
    var first: Character
    repeat {
      first = chars[Int(SecureRandom.uniform(UInt32(chars.count)))]
    } while first == "$"
    return String(first) + uniformString(length: length - 1, alphabet: chars)
  }
}
