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

  /// Opens the store under its lock, runs `body`, saves if anything changed.
  /// A store made here (`create`) is reported with the key it is sealed to.
  func modify<R>(create: Bool = false, _ body: (SecretStore) throws(StoreError) -> R) throws(StoreError) -> R {
    let loc = location
    var sealedTo: KeyRing.Candidate?
    let result = try SecretStore.modify(
      loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase,
      create: create
        ? { () throws(StoreError) in
          let made = try loc.newStore()
          sealedTo = made.key
          return made.store
        } : nil, body)
    if let sealedTo {
      let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      print("created \(relativePath(loc.store, from: here)), sealed to \(sealedTo.summary())")
    }
    return result
  }

  func open() throws(StoreError) -> SecretStore {
    let loc = location
    return try SecretStore.open(loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase)
  }
}
