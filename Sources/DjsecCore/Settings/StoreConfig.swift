/// The store's render settings: the host names and the profile `init` was
/// given, kept in the store's `config: KEY VALUE` lines (docs/FORMAT.md) so
/// `render` on a server produces the same local_settings.py. StoreFile keeps
/// those lines as text; this type is the one place they are read, checked and
/// written. The check is the one `init` applies to its flags, so a hand-edited
/// or forged line cannot render what `init` would refuse.
public struct StoreConfig: Equatable, Sendable {
  public static let hostsKey = "hosts"
  public static let profileKey = "profile"

  public var hosts: [String]
  public var profile: Initializer.Profile

  public init(hosts: [String] = [], profile: Initializer.Profile = .deploy) {
    self.hosts = hosts
    self.profile = profile
  }

  /// What `init` refuses in a set of hosts and a profile.
  public enum Problem: Equatable, Sendable {
    /// Not something Django's ALLOWED_HOSTS accepts (HostName).
    case invalidHost(String)
    /// `*` lets any Host header through: fine for `runserver`, never for a deployment.
    case wildcardHost
    /// The deploy profile with no hosts: Django would answer every request with 400.
    case noHosts
  }

  /// The first problem, or nil when `init` (and so `render`) accepts these settings.
  public var problem: Problem? {
    if let bad = hosts.first(where: { !HostName.isValid($0) }) { return .invalidHost(bad) }
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
    self.init(hosts: hosts, profile: profile)
    if let problem { throw .refused(store: store, problem: problem) }
  }

  /// Writes the settings as the store's config lines (no hosts line when there are none).
  public func write(to store: SecretStore) {
    store.setConfig(Self.hostsKey, hosts.isEmpty ? nil : hosts.joined(separator: " "))
    store.setConfig(Self.profileKey, profile.rawValue)
  }
}
