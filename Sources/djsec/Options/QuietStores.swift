import DjsecCore
import Foundation

/// The project's stores, opened without ever asking for a passphrase (a
/// scan in a pre-commit hook or an audit in CI must not prompt): with
/// DJSEC_PASSPHRASE when it is set, else only keys that have none.
enum QuietStores {
  static func open(_ store: URL, _ ws: Workspace, trust: TrustSettings) -> Result<SecretStore, StoreError> {
    let passphrase: (KeyFile) throws(StoreError) -> [UInt8] = { key throws(StoreError) in
      guard let env = Djsec.environment.passphrase else { throw .key(.noPassphrase(keyFile: key.path)) }
      return env.withUnsafeBytes { Array($0) }
    }
    do throws(StoreError) {
      return .success(try SecretStore.open(store, keyRing: ws.location.keyRing, passphrase: passphrase, trust: trust, access: .read))
    } catch {
      return .failure(error)
    }
  }

  /// The keys the project at `root` uses now: its local_settings.py, and
  /// each environment's store that opens here.
  static func keysInUse(root: URL) -> KeysInUse {
    var keys = KeysInUse()
    guard let ws = try? Workspace.find(from: root, variables: Djsec.environment), ws.isDjangoProject else { return keys }
    if let project = try? DjangoProject.locate(root: ws.root) {
      keys.add(settingsFile: project.localSettingsFile, source: relativePath(project.localSettingsFile, from: ws.root))
    }
    let environments = ws.environments()
    guard !environments.isEmpty, let trust = try? StoreOptions.trust() else { return keys }
    var read = 0
    for env in environments {
      let store = ws.root.appendingPathComponent(env.storeFileName)
      guard case .success(let opened) = open(store, ws, trust: trust), let current = try? opened.string(SecretKeyEntries.key) else {
        continue
      }
      keys.add(current: current, fallbacks: (try? SecretKeyEntries.fallbackKeys(in: opened)) ?? [], source: store.lastPathComponent)
      read += 1
    }
    keys.knowsEveryKey = read == environments.count
    return keys
  }
}
