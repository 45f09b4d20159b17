/// The store's render settings: the host names, the profile, the HSTS stage
/// and the proxy header `init` was given, and the settings file, template and
/// output path its environment renders with, kept in the store's
/// `config: KEY VALUE` lines (docs/FORMAT.md) so `render` and `rotate` on any
/// machine produce the same local_settings.py. They are signed with the
/// store: only a recipient can point production's render somewhere else. StoreFile keeps
/// those lines as text; this type is the one place they are read, checked and
/// written. The check is the one `init` applies to its flags, so a hand-edited
/// or forged line cannot render what `init` would refuse.
public struct StoreConfig: Equatable, Sendable {
  public static let hostsKey = "hosts"
  public static let profileKey = "profile"
  public static let settingsKey = "settings"
  public static let templateKey = "template"
  public static let outKey = "out"
  public static let hstsKey = "hsts"
  public static let proxyHeaderKey = "proxy_header"
  public static let secretsFromKey = "secrets_from"
  public static let webRootKey = "web_root"

  /// Where the running process takes its secrets from.
  public enum SecretsSource: String, CaseIterable, Sendable {
    /// local_settings.py holds them (rendered by `djsec render`).
    case file
    /// The process environment (`djsec exec -- CMD`, a platform's variables):
    /// local_settings.py holds the settings and reads each secret from
    /// `os.environ`, so it holds no secret and Django stops if one is missing.
    case env
  }
  /// What `--behind-proxy` takes to mean "no proxy".
  public static let noProxy = "none"
  /// The header a TLS-terminating proxy sets when `--behind-proxy` names none.
  public static let defaultProxyHeader = "X-Forwarded-Proto"

  /// How strictly browsers are told to keep to HTTPS (HTTP Strict Transport Security).
  public enum HSTS: String, CaseIterable, Sendable {
    /// A first deploy: one hour, this host only, no preload. A mistake (a
    /// subdomain without HTTPS, a certificate that lapses) costs an hour.
    case short
    /// One year, subdomains too, preload: what `check --deploy` asks for, once HTTPS is known to work everywhere.
    case full

    /// SECURE_HSTS_SECONDS.
    public var seconds: Int { self == .full ? 31_536_000 : 3600 }
  }

  public var hosts: [String]
  public var profile: Initializer.Profile
  public var hsts: HSTS
  /// The HTTP header (`X-Forwarded-Proto`) a proxy in front of Django sets to
  /// `https` for requests that reached it over HTTPS; nil when there is no proxy.
  public var proxyHeader: String?
  public var secretsFrom: SecretsSource = .file
  /// The settings file this environment renders for, relative to the project
  /// root (split settings: `mysite/settings/production.py`); nil: the one manage.py names.
  public var settings: String?
  /// The template, relative to the project root or absolute; nil: the shipped one.
  public var template: String?
  /// Where local_settings.py goes, relative to the project root or absolute;
  /// nil: beside the settings file (DjangoProject.localSettingsFile).
  public var out: String?
  /// `init --web-root`: the public/ folder outside the code the web server
  /// serves, absolute; STATIC_ROOT and MEDIA_ROOT are its static/ and media/.
  /// Kept here so `render` on the server writes them again.
  public var webRoot: String?

  public init(
    hosts: [String] = [], profile: Initializer.Profile = .deploy, hsts: HSTS = .short, proxyHeader: String? = nil,
    settings: String? = nil, template: String? = nil, out: String? = nil
  ) {
    self.hosts = hosts
    self.profile = profile
    self.hsts = hsts
    self.proxyHeader = proxyHeader
    self.settings = settings
    self.template = template
    self.out = out
  }

  /// The `request.META` key Django reads the proxy header from (SECURE_PROXY_SSL_HEADER).
  public var proxyMetaKey: String? {
    proxyHeader.map { "HTTP_" + $0.uppercased().replacingOccurrences(of: "-", with: "_") }
  }

  /// An HTTP header name (RFC 9110 token) of letters, digits and hyphens. An
  /// underscore is refused: WSGI servers turn `-` into `_`, so `X_Forwarded_Proto`
  /// reaches Django under the same name as `X-Forwarded-Proto`, and many
  /// proxies pass a client's underscore header through untouched while setting the hyphen one.
  public static func isValidHeaderName(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.count <= 64 && name != noProxy
      && name.utf8.allSatisfy { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 || ($0 >= 48 && $0 <= 57) || $0 == 45 }
  }

  /// The render settings alone (what `render --settings/--template/--out` changes).
  public var renderPaths: [String: String?] { [Self.settingsKey: settings, Self.templateKey: template, Self.outKey: out] }

  /// What `init` refuses in a set of hosts and a profile.
  public enum Problem: Equatable, Sendable {
    /// Not something Django's ALLOWED_HOSTS accepts (HostName).
    case invalidHost(String)
    /// `*` lets any Host header through: fine for `runserver`, never for a deployment.
    case wildcardHost
    /// The deploy profile with no hosts: Django would answer every request with 400.
    case noHosts
    /// A path config line that could lead a render out of place: `..`, blanks
    /// or control characters, or an absolute settings file.
    case badPath(key: String, value: String)
    /// Not an HTTP header name (`isValidHeaderName`).
    case invalidProxyHeader(String)
  }

  /// The first problem, or nil when `init` (and so `render`) accepts these settings.
  public var problem: Problem? {
    if let bad = hosts.first(where: { !HostName.isValid($0) }) { return .invalidHost(bad) }
    for (key, value, absolute) in [(Self.settingsKey, settings, false), (Self.templateKey, template, true), (Self.outKey, out, true)] {
      if let value, !Self.isSafePath(value, absoluteAllowed: absolute) { return .badPath(key: key, value: value) }
    }
    if let header = proxyHeader, !Self.isValidHeaderName(header) { return .invalidProxyHeader(header) }
    if let webRoot, !webRoot.hasPrefix("/") || !Self.isSafePath(webRoot, absoluteAllowed: true) {
      return .badPath(key: Self.webRootKey, value: webRoot)
    }
    guard profile == .deploy else { return nil }
    if hosts.contains("*") { return .wildcardHost }
    return hosts.isEmpty ? .noHosts : nil
  }

  /// Reads and checks a store's config lines. A missing line takes init's
  /// default (deploy, no hosts, no proxy), except `hsts`: a store without
  /// that line was written before djsec staged HSTS and has been rendering a
  /// full year with preload, which a server must not silently drop. Keys
  /// djsec does not know are left alone: a newer djsec may add some, and none
  /// of them reaches local_settings.py.
  public init(lines: [String: String], store: String) throws(StoreConfigError) {
    var profile = Initializer.Profile.deploy
    if let raw = lines[Self.profileKey] {
      guard let known = Initializer.Profile(rawValue: raw) else { throw .unknownProfile(store: store, value: raw) }
      profile = known
    }
    var hsts = HSTS.full
    if let raw = lines[Self.hstsKey] {
      guard let known = HSTS(rawValue: raw) else { throw .unknownHSTS(store: store, value: raw) }
      hsts = known
    }
    let hosts = (lines[Self.hostsKey] ?? "").split(separator: " ").map(String.init)
    self.init(
      hosts: hosts, profile: profile, hsts: hsts, proxyHeader: lines[Self.proxyHeaderKey], settings: lines[Self.settingsKey],
      template: lines[Self.templateKey], out: lines[Self.outKey])
    if let raw = lines[Self.secretsFromKey] {
      guard let known = SecretsSource(rawValue: raw) else { throw .unknownSecretsSource(store: store, value: raw) }
      secretsFrom = known
    }
    webRoot = lines[Self.webRootKey]
    if let problem { throw .refused(store: store, problem: problem) }
  }

  /// Writes the settings as the store's config lines (no hosts or proxy line when there are none).
  public func write(to store: SecretStore) {
    store.setConfig(Self.hostsKey, hosts.isEmpty ? nil : hosts.joined(separator: " "))
    store.setConfig(Self.profileKey, profile.rawValue)
    store.setConfig(Self.hstsKey, hsts.rawValue)
    store.setConfig(Self.proxyHeaderKey, proxyHeader)
    store.setConfig(Self.secretsFromKey, secretsFrom == .file ? nil : secretsFrom.rawValue)
    store.setConfig(Self.webRootKey, webRoot)
    for (key, value) in renderPaths { store.setConfig(key, value) }
  }

  /// A path a config line may hold: no `..` or empty segment, no blank or
  /// control character (config values are space-separated words), relative
  /// unless `absoluteAllowed`.
  public static func isSafePath(_ path: String, absoluteAllowed: Bool) -> Bool {
    guard !path.isEmpty, path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !$0.properties.isWhitespace })
    else { return false }
    if path.hasPrefix("/") && !absoluteAllowed { return false }
    let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(path.hasPrefix("/") ? 1 : 0)
    return parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
  }
}
