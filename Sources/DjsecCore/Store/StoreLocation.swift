import Foundation

/// Where a project's store and keys are: djsec walks up from the current
/// folder to the one that holds manage.py (the project root); without one,
/// the current folder stands in (so `djsec keys new` works anywhere).
public struct StoreLocation: Sendable {
  public var root: URL
  public var store: URL
  public var keys: URL

  public static let defaultName = "secrets.djsec"

  public init(root: URL, store: URL? = nil) {
    self.root = root
    self.store = store ?? root.appendingPathComponent(Self.defaultName)
    keys = root.appendingPathComponent("keys")
  }

  public static func find(from start: URL, store: String? = nil) -> StoreLocation {
    var folder = start.standardizedFileURL
    var root = start.standardizedFileURL
    while true {
      if FileManager.default.fileExists(atPath: folder.appendingPathComponent("manage.py").path) {
        root = folder
        break
      }
      let parent = folder.deletingLastPathComponent()
      if parent.path == folder.path { break }
      folder = parent
    }
    return StoreLocation(root: root, store: store.map { URL(fileURLWithPath: $0).standardizedFileURL })
  }

  public var keyRing: KeyRing { KeyRing(keysFolder: keys) }

  /// A new, empty store whose one recipient is the user's first key.
  public func newStore(passphrase: (KeyFile) throws(StoreError) -> [UInt8], trust: TrustSettings) throws(StoreError) -> SecretStore {
    guard let first = try keyRing.candidates().first else { throw .noKeys(folder: keys.path) }
    let label: String
    let pair: KeyPair
    switch first {
    case .file(let f):
      label = f.label
      pair = try f.unlock { () throws(StoreError) in try passphrase(f) }
    case .pair(let p, _):
      label = "ci"
      pair = p
    }
    return try SecretStore.create(at: store, opener: pair, label: label, trust: trust)
  }
}
