import ArgumentParser
import DjsecCore
import Foundation

/// Which environment (--env, DJSEC_ENV, else the one this checkout
/// remembers), where its store is (found by walking up to manage.py unless
/// --store says) and which key to use (--key, needed only to choose among several).
struct StoreOptions: ParsableArguments {
  @OptionGroup var environment: EnvironmentOption

  @Option(help: "The store file (default: secrets.djsec, or secrets.ENV.djsec, beside manage.py).")
  var store: String?

  @Option(
    help: ArgumentHelp(
      "The key to use: a label or the path of a .key file.",
      discussion: "A new store is sealed to this key; it must be named when several keys are found.",
      valueName: "label-or-path"))
  var key: String?

  /// The project, environment, store and keys, found once per command.
  func workspace(settings: String? = nil) throws(WorkspaceError) -> Workspace {
    try Workspace.find(
      from: Djsec.currentFolder, environment: environment.name, store: store, settings: settings, key: key, variables: Djsec.environment)
  }

  /// A named environment must exist before anything reads it; the default
  /// one keeps today's "no store at" message (and `secret set` creates it).
  static func requireStore(_ ws: Workspace) throws(WorkspaceError) {
    guard !ws.environment.isDefault, ws.environmentSource != .storeOption, !FileManager.default.fileExists(atPath: ws.store.path)
    else { return }
    throw .unknownEnvironment(
      name: ws.environment.rawValue, store: ws.store.lastPathComponent, known: ws.environments().map(\.rawValue))
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
  func modify<R>(create: Bool = false, in given: Workspace? = nil, _ body: (SecretStore) throws(StoreError) -> R) throws -> R {
    let ws = try given ?? workspace()
    let loc = ws.location
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
      print("created \(relativePath(loc.store, from: Djsec.currentFolder)), sealed to \(sealedTo.summary())")
    }
    return result
  }

  /// Said once when a command has waited a second for another one's lock.
  static let lockWait: @Sendable (String, Int32?) -> Void = { store, holder in
    Diagnostics.note("waiting for the lock on \(store)" + (holder.map { " held by pid \($0)" } ?? ""))
  }

  /// Opens the store to read it; an older store than the newest seen opens
  /// with a warning that says how to see what changed.
  func open(access: SecretStore.Access = .read, in given: Workspace? = nil) throws -> SecretStore {
    let ws = try given ?? workspace()
    try Self.requireStore(ws)
    let loc = ws.location
    let store = try SecretStore.open(
      loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase, trust: try Self.trust(), access: access)
    Self.warn(about: store, access: access)
    return store
  }

  /// The store and local_settings.py changed as one step (render, rotate).
  static func deployment(_ ws: Workspace) throws -> Deployment {
    var deployment = Deployment(ws, trust: try trust(), passphrase: Terminal.passphrase, onWait: lockWait)
    deployment.onOpen = { warn(about: $0, access: .write) }
    return deployment
  }

  /// What a user must know about a store that opened: it is older than one
  /// seen before, its history was only partly checked, or it holds values
  /// its branch's history replaced.
  static func warn(about store: SecretStore, access: SecretStore.Access) {
    let name = store.url.lastPathComponent
    if access != .review, case .older(let generation, let seen, let retired) = store.verdict {
      let why = retired ? "its data key was retired by a rotation" : "generation \(generation), newest seen \(seen)"
      Diagnostics.warning(
        "\(name) is older than the newest version you have seen (\(why)); see what changed with 'git log -p -- \(name)'")
    }
    if access != .review, store.historyRefused {
      let folder = store.url.deletingLastPathComponent().path
      Diagnostics.warning(
        "git refused this repository (it belongs to another user), so \(name)'s rollback check did not run: "
          + "trust it with 'git config --global --add safe.directory \(folder)', or run djsec as the checkout's owner")
    } else if access != .review, store.historyIncomplete {
      Diagnostics.warning(
        "the rollback check saw only part of \(name)'s history (a shallow clone?): fetch it all (git fetch --unshallow)")
    }
    if access == .read, !store.replacedEntries.isEmpty {
      Diagnostics.warning(
        "\(name) holds values that this branch's history replaced since (\(store.replacedEntries.joined(separator: ", "))): "
          + "an older copy was put back; see 'git log -p -- \(name)'")
    }
  }
}
