import ArgumentParser
import DjsecCore
import Foundation

/// Where the store is: found by walking up to manage.py unless --store says.
struct StoreOptions: ParsableArguments {
  @Option(help: "The store file (default: secrets.djsec beside manage.py).")
  var store: String?

  var location: StoreLocation {
    StoreLocation.find(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), store: store)
  }

  /// Whom signatures are trusted for: the user's records under
  /// $XDG_STATE_HOME, or DJSEC_TRUSTED_KEYS in CI (docs/SECURITY.md).
  static func trust() throws(StoreError) -> TrustSettings {
    do { return try TrustSettings(environment: ProcessInfo.processInfo.environment) } catch { throw .trust(error) }
  }

  /// Opens the store under its lock, runs `body`, saves if anything changed.
  func modify<R>(create: Bool = false, _ body: (SecretStore) throws(StoreError) -> R) throws(StoreError) -> R {
    let loc = location
    let trust = try Self.trust()
    return try SecretStore.modify(
      loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase, trust: trust,
      create: create ? { () throws(StoreError) in try loc.newStore(passphrase: Terminal.passphrase, trust: trust) } : nil, body)
  }

  /// Opens the store to read it; an older store than the newest seen opens
  /// with a warning that says how to see what changed.
  func open(access: SecretStore.Access = .read) throws(StoreError) -> SecretStore {
    let loc = location
    let store = try SecretStore.open(
      loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase, trust: try Self.trust(), access: access)
    if access != .review, case .older(let generation, let seen, let retired) = store.verdict {
      let why = retired ? "its data key was retired by a rotation" : "generation \(generation), newest seen \(seen)"
      Diagnostics.warning(
        "\(loc.store.lastPathComponent) is older than the newest version you have seen (\(why)); "
          + "see what changed with 'git log -p -- \(loc.store.lastPathComponent)'")
    }
    return store
  }
}
