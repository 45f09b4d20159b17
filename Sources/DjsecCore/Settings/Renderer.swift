/// Writes local_settings.py from the template and the store's values: the
/// SECRET_KEY and its fallbacks, ALLOWED_HOSTS, the profile, HSTS and the
/// proxy header from the store's config lines (StoreConfig), each secret the
/// template names with `{{secret:NAME}}` where it names it, and every other
/// secret as `NAME = "..."` at the end; all values as Python string literals,
/// each escaped so no value can turn into code. Nothing is rendered until every name and config line passed the same
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
    let secrets = try secrets(store, template: template, fromEnvironment: config.secretsFrom == .env)
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

  /// The store's secrets for `template`: plain values of those it places
  /// with `{{secret:NAME}}` (a missing one fails only where it is rendered),
  /// and every other one but the key entries as `NAME = "..."` lines of
  /// Python, after checking its name against `template` (the one actually used).
  public struct Secrets: Equatable, Sendable {
    /// By name, the secrets the template places itself.
    public var values: [String: String] = [:]
    /// The others, as Python lines.
    public var source = ""

    public init() {}
  }

  /// With `fromEnvironment`, no value is read: each secret becomes a lookup
  /// of its name in the process environment (StoreConfig.SecretsSource.env).
  static func secrets(_ store: SecretStore, template: SettingsTemplate, fromEnvironment: Bool = false) throws(RenderError) -> Secrets {
    var values: [String: String] = [:]
    for name in store.names where !SecretKeyEntries.names.contains(name) {
      do { values[name] = fromEnvironment ? "" : try store.string(name) } catch { throw .store(error) }
    }
    return try secrets(values, template: template, store: store.displayName, fromEnvironment: fromEnvironment)
  }

  /// The same from values already read (`init` renders before it writes the
  /// store), by name; the key entries are left out.
  static func secrets(_ values: [String: String], template: SettingsTemplate, store: String, fromEnvironment: Bool = false)
    throws(RenderError) -> Secrets
  {
    let placed = template.secretsUsed
    let reserved = SecretName.reserved(by: template)
    var out = Secrets()
    for (name, value) in values.sorted(by: { $0.key < $1.key }) where !SecretKeyEntries.names.contains(name) {
      if placed.contains(name) {
        out.values[name] = fromEnvironment ? name : value
        continue
      }
      do { try SecretName.check(name, reserved: reserved, template: template.name) } catch {
        throw .unsafeName(error, store: store, template: template.name)
      }
      out.source += "\(name) = \(fromEnvironment ? environmentLookup(name) : PythonLiteral.string(value))\n"
    }
    return out
  }

  /// The template filled in: the key and its fallbacks, hosts for the
  /// profile, HSTS and the proxy header, and `secrets` (`secrets(_:template:)`).
  static func text(template: SettingsTemplate, key: String, fallbacks: [String], secrets: Secrets, config: StoreConfig)
    throws(TemplateError)
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
    let proxy = config.proxyHeader ?? StoreConfig.defaultProxyHeader
    let proxyKey = StoreConfig(proxyHeader: proxy).proxyMetaKey ?? ""
    let fromEnvironment = config.secretsFrom == .env
    let body = try template.render(
      values: [
        "SECRET_KEY": fromEnvironment ? environmentLookup(SecretKeyEntries.key) : PythonLiteral.string(key),
        "SECRET_KEY_FALLBACKS": fromEnvironment
          ? "[k for k in _djsec_os.environ.get(\(PythonLiteral.string(SecretKeyEntries.fallbacks)), \"\").split(\"\\n\") if k]"
          : PythonLiteral.list(fallbacks),
        "ALLOWED_HOSTS": PythonLiteral.list(hosts),
        "CSRF_TRUSTED_ORIGINS": PythonLiteral.list(origins),
        // The header as the proxy sends it, for comments (checked: letters, digits and hyphens only).
        "PROXY_HEADER": proxy,
        "SECURE_PROXY_SSL_HEADER": "(\(PythonLiteral.string(proxyKey)), \(PythonLiteral.string("https")))",
        "SECURE_HSTS_SECONDS": String(config.hsts.seconds),
        "SECRETS": secrets.source,
        "PUBLIC_ROOT": config.webRoot ?? "",
        "STATIC_ROOT": PythonLiteral.string(WebLayout.staticRoot(config.webRoot ?? "")),
        "MEDIA_ROOT": PythonLiteral.string(WebLayout.mediaRoot(config.webRoot ?? "")),
      ],
      flags: [
        "deploy": config.profile == .deploy, "secrets": !secrets.source.isEmpty, "proxy": config.proxyHeader != nil,
        "hsts_full": config.hsts == .full, "web_root": config.webRoot != nil,
      ],
      secrets: secrets.values, python: fromEnvironment ? environmentLookup : PythonLiteral.string)
    return fromEnvironment ? environmentPrelude + body : body
  }

  /// `_djsec_environ("NAME")`: the secret's value from the process environment.
  static func environmentLookup(_ name: String) -> String { "_djsec_environ(\(PythonLiteral.string(name)))" }

  /// What a file rendered for `--secrets-from env` starts with: it holds no
  /// secret, and Django stops, naming the variable, when one is missing
  /// (started without `djsec exec`), instead of running without it.
  static let environmentPrelude = """
    # Secrets come from the process environment (djsec exec -- CMD), never from this file.
    import os as _djsec_os


    def _djsec_environ(name):
        try:
            return _djsec_os.environ[name]
        except KeyError:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                "%s is not in the environment: start Django with 'djsec exec -- COMMAND'" % name
            ) from None


    """
}
