import DjsecCore
import Foundation

/// The project's stores, opened without ever asking for a passphrase (a
/// scan in a pre-commit hook or an audit in CI must not prompt): with
/// DJSEC_PASSPHRASE when it is set, else only keys that have none.
///
/// Each store is opened at most once per command, with the trust settings
/// worked out once: an open reads the keys (Argon2id for one with a
/// passphrase), checks the MAC and the signature, and reads the store's
/// history in git, and `djsec check` asks for the same store three times.
final class QuietStores {
  let workspace: Workspace
  /// nil when DJSEC_TRUSTED_KEYS is invalid: then no store opens.
  let trust: TrustSettings?
  private var opened: [String: Result<SecretStore, StoreError>] = [:]

  init(_ workspace: Workspace) {
    self.workspace = workspace
    trust = try? StoreOptions.trust()
  }

  /// The store at `file`, opened the first time it is asked for; nil when the trust settings are invalid.
  func open(_ file: URL) -> Result<SecretStore, StoreError>? {
    guard let trust else { return nil }
    let key = file.standardizedFileURL.path
    if let known = opened[key] { return known }
    let passphrase: (KeyFile) throws(StoreError) -> [UInt8] = { key throws(StoreError) in
      guard let env = Djsec.environment.passphrase else { throw .key(.noPassphrase(keyFile: key.path)) }
      return env.withUnsafeBytes { Array($0) }
    }
    let result: Result<SecretStore, StoreError>
    do throws(StoreError) {
      result = .success(
        try SecretStore.open(file, keyRing: workspace.location.keyRing, passphrase: passphrase, trust: trust, access: .read))
    } catch {
      result = .failure(error)
    }
    opened[key] = result
    return result
  }

  /// The keys the project at `root` uses now (for a scan).
  static func keysInUse(root: URL) -> KeysInUse {
    guard let ws = try? Workspace.find(from: root, variables: Djsec.environment) else { return KeysInUse() }
    return QuietStores(ws).keysInUse()
  }

  /// The keys the project uses now: its local_settings.py, and each
  /// environment's store that opens here.
  func keysInUse() -> KeysInUse {
    var keys = KeysInUse()
    let ws = workspace
    guard ws.isDjangoProject else { return keys }
    if let project = try? DjangoProject.locate(root: ws.root) {
      keys.add(settingsFile: project.localSettingsFile, source: relativePath(project.localSettingsFile, from: ws.root))
    }
    let environments = ws.environments()
    guard !environments.isEmpty, trust != nil else { return keys }
    var read = 0
    for env in environments {
      let store = ws.root.appendingPathComponent(env.storeFileName)
      guard case .success(let opened) = open(store), let current = try? opened.string(SecretKeyEntries.key) else { continue }
      keys.add(current: current, fallbacks: (try? SecretKeyEntries.fallbackKeys(in: opened)) ?? [], source: store.lastPathComponent)
      read += 1
    }
    keys.knowsEveryKey = read == environments.count
    return keys
  }
}
