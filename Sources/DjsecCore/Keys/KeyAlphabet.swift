/// The character sets a generated key may be drawn from.
public enum KeyAlphabet: String, CaseIterable, Sendable {
  /// Django's own `get_random_secret_key()` alphabet (~5.64 bits a character).
  case django
  /// RFC 4648 URL-safe base64 characters: safe in URLs, shells and `.env` files.
  case urlsafe
  /// Lower-case hexadecimal: 4 bits a character, so keys are longer for the same strength.
  case hex

  public var characters: [Character] {
    switch self {
    case .django: Array("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)")
    case .urlsafe: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    case .hex: Array("0123456789abcdef")
    }
  }
}
