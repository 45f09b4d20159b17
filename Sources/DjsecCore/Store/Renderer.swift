import Foundation

/// Writes local_settings.py from the template and the store's values: the
/// SECRET_KEY and its fallbacks, ALLOWED_HOSTS and the profile from the
/// store's config lines, and every other secret as a Python string literal
/// (`NAME = "..."`), each escaped so no value can turn into code.
public enum Renderer {
  public static let secretKey = "SECRET_KEY"
  public static let fallbacks = "SECRET_KEY_FALLBACKS"

  /// The fallbacks are kept as one entry: the keys joined by newlines (a
  /// Django key never holds a newline), newest first.
  public static func fallbackKeys(_ store: SecretStore) throws(StoreError) -> [String] {
    guard store.contains(fallbacks) else { return [] }
    return try store.string(fallbacks).split(separator: "\n").map(String.init)
  }

  /// Every secret but the key and its fallbacks, as `NAME = "..."` lines of Python.
  static func otherSecretsSource(_ store: SecretStore) throws(StoreError) -> String {
    var out = ""
    for name in store.names where name != secretKey && name != fallbacks {
      out += "\(name) = \(PythonLiteral.string(try store.string(name)))\n"
    }
    return out
  }

  public static func render(_ store: SecretStore, template: SettingsTemplate) throws(InitError) -> String {
    do {
      let hosts = (store.file.config["hosts"] ?? "").split(separator: " ").map(String.init)
      let profile = Initializer.Profile(rawValue: store.file.config["profile"] ?? "deploy") ?? .deploy
      let others = try otherSecretsSource(store)
      var options = Initializer.Options()
      options.hosts = hosts
      options.profile = profile
      return try Initializer.renderText(
        template: template, key: try store.string(secretKey), fallbacks: try fallbackKeys(store), secrets: others, options: options)
    } catch let e as InitError {
      throw e
    } catch let e as StoreError {
      throw .store(e)
    } catch {
      throw .store(.integrity(store: store.url.lastPathComponent, detail: "\(error)"))
    }
  }
}
