import Foundation

/// Where a project's store and keys are (Workspace finds the project root and
/// the environment's store), and which key to use.
public struct StoreLocation: Sendable {
  public var root: URL
  public var store: URL
  /// The project's keys/ folder.
  public var keys: URL
  /// The DJSEC_* variables and the per-user key folder, taken at start-up.
  public var environment: DjsecEnvironment
  /// `--key`: the one key to use (a label or the path of a .key file).
  public var keySelection: String?
  /// The label of the key a new store is sealed to when several are found
  /// and none was chosen: a named environment's own key.
  public var newStoreLabel: String?

  public static let defaultName = "secrets.djsec"

  public init(root: URL, store: URL? = nil, environment: DjsecEnvironment, key: String? = nil) {
    self.root = root
    self.store = store ?? root.appendingPathComponent(Self.defaultName)
    keys = root.appendingPathComponent("keys")
    self.environment = environment
    keySelection = key
  }

  /// Where private keys are looked for, in order: keys/ beside the store (a
  /// monorepo's backend/secrets.djsec with backend/keys/), the project's
  /// keys/, then the user's own folder outside any checkout.
  public var keyFolders: [URL] {
    [store.deletingLastPathComponent().appendingPathComponent("keys"), keys] + (environment.userKeys.map { [$0] } ?? [])
  }

  public var keyRing: KeyRing { KeyRing(folders: keyFolders, environment: environment, selection: keySelection) }

  /// A new, empty store sealed to the one key it may be sealed to (the one
  /// named with --key, or the only one there is), signed by that key; and the key.
  public func newStore(passphrase: (KeyFile) throws(StoreError) -> [UInt8], trust: TrustSettings) throws(StoreError)
    -> (store: SecretStore, key: KeyRing.Candidate)
  {
    let key = try keyRing.keyForNewStore(preferring: newStoreLabel)
    let pair: KeyPair
    switch key {
    case .file(let f): pair = try f.unlock { () throws(StoreError) in try passphrase(f) }
    case .pair(let p, _): pair = p
    }
    return (try SecretStore.create(at: store, opener: pair, label: key.label, trust: trust), key)
  }
}
