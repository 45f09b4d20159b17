/// The store's own two entries for Django's signing key. They live here, not
/// with the renderer, because rotation writes them and the store must not
/// depend on how local_settings.py is made.
public enum SecretKeyEntries {
  public static let key = "SECRET_KEY"
  public static let fallbacks = "SECRET_KEY_FALLBACKS"
  public static let names: Set<String> = [key, fallbacks]

  /// The fallbacks are kept as one entry: the keys joined by newlines (a
  /// Django key never holds a newline), newest first.
  public static func fallbackKeys(in store: SecretStore) throws(StoreError) -> [String] {
    guard store.contains(fallbacks) else { return [] }
    return try store.string(fallbacks).split(separator: "\n").map(String.init)
  }
}
