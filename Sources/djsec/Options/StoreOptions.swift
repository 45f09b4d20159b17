import ArgumentParser
import DjsecCore
import Foundation

/// Where the store is (found by walking up to manage.py unless --store says)
/// and which key to use (--key, needed only to choose among several).
struct StoreOptions: ParsableArguments {
  @Option(help: "The store file (default: secrets.djsec beside manage.py).")
  var store: String?

  @Option(
    help: ArgumentHelp(
      "The key to use: a label or the path of a .key file.",
      discussion: "A new store is sealed to this key; it must be named when several keys are found.",
      valueName: "label-or-path"))
  var key: String?

  var location: StoreLocation {
    StoreLocation.find(
      from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), store: store, environment: Djsec.environment, key: key)
  }

  /// Whom signatures are trusted for: the user's records under
  /// $XDG_STATE_HOME, or DJSEC_TRUSTED_KEYS in CI (docs/SECURITY.md).
  static func trust() throws(StoreError) -> TrustSettings {
    // DJSEC_TRUSTED_KEYS was taken out of the process environment at start-up (DjsecEnvironment).
    let variables = ProcessInfo.processInfo.environment.merging(Djsec.environment.others) { $1 }
    do { return try TrustSettings(environment: variables) } catch { throw .trust(error) }
  }

  /// Opens the store under its lock, runs `body`, saves if anything changed.
  /// A store made here (`create`) is reported with the key it is sealed to.
  func modify<R>(create: Bool = false, _ body: (SecretStore) throws(StoreError) -> R) throws(StoreError) -> R {
    let loc = location
    let trust = try Self.trust()
    var sealedTo: KeyRing.Candidate?
    let result = try SecretStore.modify(
      loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase, trust: trust,
      create: create
        ? { () throws(StoreError) in
          let made = try loc.newStore(passphrase: Terminal.passphrase, trust: trust)
          sealedTo = made.key
          return made.store
        } : nil, onWait: Self.lockWait, body)
    if let sealedTo {
      let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      print("created \(relativePath(loc.store, from: here)), sealed to \(sealedTo.summary())")
    }
    return result
  }

  /// Said once when a command has waited a second for another one's lock.
  static let lockWait: @Sendable (String, Int32?) -> Void = { store, holder in
    Diagnostics.note("waiting for the lock on \(store)" + (holder.map { " held by pid \($0)" } ?? ""))
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
    if access != .review, store.historyIncomplete {
      Diagnostics.warning(
        "the rollback check saw only part of \(loc.store.lastPathComponent)'s history (a shallow clone?): fetch it all (git fetch --unshallow)"
      )
    }
    if access == .read, !store.replacedEntries.isEmpty {
      Diagnostics.warning(
        "\(loc.store.lastPathComponent) holds values that this branch's history replaced since (\(store.replacedEntries.joined(separator: ", "))): "
          + "an older copy was put back; see 'git log -p -- \(loc.store.lastPathComponent)'")
    }
    return store
  }
}
