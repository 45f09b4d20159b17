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

  /// `modify` for a body that may also fail with another area's error (a
  /// refused secret name): nothing is saved, and that error comes out as it was.
  func modify<R>(create: Bool = false, orFail body: (SecretStore) throws -> R) throws -> R {
    var other: (any Error)?
    do {
      return try modify(create: create) { store throws(StoreError) -> R in
        do { return try body(store) } catch let error as StoreError { throw error } catch {
          other = error
          // Only stops SecretStore.modify before it saves; replaced by `other` below.
          throw .editorFailed(editor: "", status: 0)
        }
      }
    } catch {
      throw other ?? error
    }
  }

  func open() throws(StoreError) -> SecretStore {
    let loc = location
    return try SecretStore.open(loc.store, keyRing: loc.keyRing, passphrase: Terminal.passphrase)
  }
}
