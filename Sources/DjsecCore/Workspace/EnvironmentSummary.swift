import Foundation

/// What `djsec env list` and `djsec status` show of an environment without
/// opening its store: the file's plain header (recipients, config lines,
/// generation). Nothing here is verified; commands that use the values open
/// the store, which checks its MAC and signature.
public struct EnvironmentSummary: Sendable {
  public let name: EnvironmentName
  public let store: URL
  public let recipients: [String]
  public let profile: String?
  public let hosts: String?
  public let settings: String?
  public let out: String?
  /// `secrets_from env`: the rendered file reads every secret from the environment.
  public let secretsFromEnvironment: Bool
  public let generation: UInt64
  /// Why the header could not be read, if it could not.
  public let problem: String?

  public init(name: EnvironmentName, store: URL) {
    self.name = name
    self.store = store
    let file: StoreFile?
    var problem: String?
    do throws(StoreError) {
      guard let bytes = FileManager.default.contents(atPath: store.path) else { throw .storeNotFound(path: store.path) }
      file = try StoreFile.parse(bytes: Array(bytes), file: store.lastPathComponent)
    } catch {
      file = nil
      problem = error.message
    }
    self.problem = problem
    recipients = file?.recipients.map(\.label) ?? []
    profile = file?.config[StoreConfig.profileKey]
    hosts = file?.config[StoreConfig.hostsKey]
    settings = file?.config[StoreConfig.settingsKey]
    out = file?.config[StoreConfig.outKey]
    secretsFromEnvironment = file?.config[StoreConfig.secretsFromKey] == StoreConfig.SecretsSource.env.rawValue
    generation = file?.generation ?? 0
  }
}
