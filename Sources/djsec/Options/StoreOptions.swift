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

  /// Opens the store under its lock, runs `body`, saves if anything changed.
  func modify<R>(create: Bool = false, _ body: (SecretStore) throws(StoreError) -> R) throws(StoreError) -> R {
    let loc = location
    return try SecretStore.modify(
      loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase,
      create: create ? { () throws(StoreError) in try loc.newStore() } : nil, body)
  }

  func open() throws(StoreError) -> SecretStore {
    let loc = location
    return try SecretStore.open(loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase)
  }
}
