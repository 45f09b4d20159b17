/// Django's own rules for a strong SECRET_KEY (security.W009 and, for each
/// SECRET_KEY_FALLBACKS entry, W025), so djsec never writes a key Django warns about.
public enum KeyPolicy {
  public static let minimumLength = 50
  public static let minimumDistinctCharacters = 5
  public static let insecurePrefix = "django-insecure-"

  public enum Weakness: Equatable, Sendable {
    case tooShort(length: Int)
    case tooFewDistinct(count: Int)
    case insecurePrefix
  }

  /// The reasons Django would call `key` weak; empty when it is strong.
  public static func weaknesses(of key: String) -> [Weakness] {
    var found: [Weakness] = []
    if key.count < minimumLength { found.append(.tooShort(length: key.count)) }
    let distinct = Set(key).count
    if distinct < minimumDistinctCharacters { found.append(.tooFewDistinct(count: distinct)) }
    if key.hasPrefix(insecurePrefix) { found.append(.insecurePrefix) }
    return found
  }
}
