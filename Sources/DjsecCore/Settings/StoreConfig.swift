/// The store's render settings: the host names and the profile `init` was
/// given, and the settings file, template and output path its environment
/// renders with, kept in the store's `config: KEY VALUE` lines
/// (docs/FORMAT.md) so `render` and `rotate` on any machine produce the same
/// local_settings.py. They are signed with the store: only a recipient can
/// point production's render somewhere else. StoreFile keeps
/// those lines as text; this type is the one place they are read, checked and
/// written. The check is the one `init` applies to its flags, so a hand-edited
/// or forged line cannot render what `init` would refuse.
public struct StoreConfig: Equatable, Sendable {
  public static let hostsKey = "hosts"
  public static let profileKey = "profile"
  public static let settingsKey = "settings"
  public static let templateKey = "template"
  public static let outKey = "out"

  public var hosts: [String]
  public var profile: Initializer.Profile
  /// The settings file this environment renders for, relative to the project
  /// root (split settings: `mysite/settings/production.py`); nil: the one manage.py names.
  public var settings: String?
  /// The template, relative to the project root or absolute; nil: the shipped one.
  public var template: String?
  /// Where local_settings.py goes, relative to the project root or absolute;
  /// nil: beside the settings file (DjangoProject.localSettingsFile).
  public var out: String?

  public init(
    hosts: [String] = [], profile: Initializer.Profile = .deploy, settings: String? = nil, template: String? = nil, out: String? = nil
  ) {
    self.hosts = hosts
    self.profile = profile
    self.settings = settings
    self.template = template
    self.out = out
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
  }

  /// The first problem, or nil when `init` (and so `render`) accepts these settings.
  public var problem: Problem? {
    if let bad = hosts.first(where: { !HostName.isValid($0) }) { return .invalidHost(bad) }
    for (key, value, absolute) in [(Self.settingsKey, settings, false), (Self.templateKey, template, true), (Self.outKey, out, true)] {
      if let value, !Self.isSafePath(value, absoluteAllowed: absolute) { return .badPath(key: key, value: value) }
    }
    guard profile == .deploy else { return nil }
    if hosts.contains("*") { return .wildcardHost }
    return hosts.isEmpty ? .noHosts : nil
  }

  /// Reads and checks a store's config lines. A missing line takes init's
  /// default (deploy, no hosts). Keys djsec does not know are left alone: a
  /// newer djsec may add some, and none of them reaches local_settings.py.
  public init(lines: [String: String], store: String) throws(StoreConfigError) {
    var profile = Initializer.Profile.deploy
    if let raw = lines[Self.profileKey] {
      guard let known = Initializer.Profile(rawValue: raw) else { throw .unknownProfile(store: store, value: raw) }
      profile = known
    }
    let hosts = (lines[Self.hostsKey] ?? "").split(separator: " ").map(String.init)
    self.init(
      hosts: hosts, profile: profile, settings: lines[Self.settingsKey], template: lines[Self.templateKey], out: lines[Self.outKey])
    if let problem { throw .refused(store: store, problem: problem) }
  }

  /// Writes the settings as the store's config lines (no hosts line when there are none).
  public func write(to store: SecretStore) {
    store.setConfig(Self.hostsKey, hosts.isEmpty ? nil : hosts.joined(separator: " "))
    store.setConfig(Self.profileKey, profile.rawValue)
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
