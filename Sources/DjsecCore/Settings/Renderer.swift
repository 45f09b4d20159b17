/// Writes local_settings.py from the template and the store's values: the
/// SECRET_KEY and its fallbacks, ALLOWED_HOSTS and the profile from the
/// store's config lines (StoreConfig), and every other secret as a Python
/// string literal (`NAME = "..."`), each escaped so no value can turn into
/// code. Nothing is rendered until every name and config line passed the same
/// checks `secret set` and `init` apply: an old or hand-edited store must not
/// produce a file Python cannot import or one that undoes a setting the
/// template writes.
public enum Renderer {
  /// Which store and environment a rendered file came from: its first line
  /// says so, which is how djsec later knows a file is its own (and `status`
  /// which environment is deployed).
  public struct Origin: Equatable, Sendable {
    public var store: String
    public var environment: String

    public init(store: String, environment: String) {
      self.store = store
      self.environment = environment
    }

    public static let prefix = "# Rendered by djsec from "

    public var line: String {
      "\(Self.prefix)\(store) (environment \(environment)); edits here are lost at the next render or rotate."
    }

    /// The origin a file's first line names, or nil when djsec did not render it.
    public init?(firstLineOf text: String) {
      guard text.hasPrefix(Self.prefix) else { return nil }
      let line = text.dropFirst(Self.prefix.count).prefix { $0 != "\n" }
      guard let open = line.range(of: " (environment "), let close = line.range(of: ")", range: open.upperBound..<line.endIndex)
      else { return nil }
      store = String(line[..<open.lowerBound])
      environment = String(line[open.upperBound..<close.lowerBound])
    }
  }

  /// `store` rendered with its own config lines and no origin line.
  public static func render(_ store: SecretStore, template: SettingsTemplate) throws(RenderError) -> String {
    let config: StoreConfig
    do { config = try StoreConfig(lines: store.file.config, store: store.displayName) } catch { throw .config(error) }
    return try render(store, config: config, template: template, origin: nil)
  }

  public static func render(_ store: SecretStore, config: StoreConfig, template: SettingsTemplate, origin: Origin?) throws(RenderError)
    -> String
  {
    let secrets = try secretsSource(store, template: template)
    let key: String
    let fallbacks: [String]
    do {
      key = try store.string(SecretKeyEntries.key)
      fallbacks = try SecretKeyEntries.fallbackKeys(in: store)
    } catch { throw .store(error) }
    let body: String
    do { body = try text(template: template, key: key, fallbacks: fallbacks, secrets: secrets, config: config) } catch {
      throw .template(error)
    }
    return (origin.map { $0.line + "\n" } ?? "") + body
  }

  /// Every secret but the key entries, as `NAME = "..."` lines of Python,
  /// after checking each name against `template` (the one actually used).
  static func secretsSource(_ store: SecretStore, template: SettingsTemplate) throws(RenderError) -> String {
    let reserved = SecretName.settingsWritten(by: template)
    var out = ""
    for name in store.names where !SecretKeyEntries.names.contains(name) {
      do { try SecretName.check(name, reserved: reserved, template: template.name) } catch {
        throw .unsafeName(error, store: store.displayName, template: template.name)
      }
      do { out += "\(name) = \(PythonLiteral.string(try store.string(name)))\n" } catch { throw .store(error) }
    }
    return out
  }

  /// The template filled in: the key and its fallbacks, hosts for the
  /// profile, and `secrets`, the other store values already written as Python lines.
  static func text(template: SettingsTemplate, key: String, fallbacks: [String], secrets: String, config: StoreConfig) throws(TemplateError)
    -> String
  {
    let local = ["localhost", "127.0.0.1", "[::1]"]
    let hosts: [String]
    switch config.profile {
    case .deploy: hosts = config.hosts
    case .dev: hosts = local + config.hosts.filter { !local.contains($0) }
    }
    let origins = config.hosts.filter { $0 != "*" && !$0.hasPrefix("[") }.map { host in
      "https://" + (host.hasPrefix(".") ? "*" + host : host)
    }
    return try template.render(
      values: [
        "SECRET_KEY": PythonLiteral.string(key),
        "SECRET_KEY_FALLBACKS": PythonLiteral.list(fallbacks),
        "ALLOWED_HOSTS": PythonLiteral.list(hosts),
        "CSRF_TRUSTED_ORIGINS": PythonLiteral.list(origins),
        "SECRETS": secrets,
      ],
      flags: ["deploy": config.profile == .deploy, "secrets": !secrets.isEmpty])
  }
}
