import DjsecCore
import Foundation

/// Writes into a store what djsec's commands now refuse: names and config
/// lines an older djsec (or a hand edit by a key holder) could have left
/// there. It goes through DjsecCore's own SecretStore, whose format layer still
/// takes the wider names older versions wrote, so the store opens and only
/// `render` stands in the way.
enum StoreForgery {
  /// `secrets`: name → value; `config`: key → the text after `config: KEY `.
  static func write(store: URL, keys: URL, secrets: [String: String] = [:], config: [String: String] = [:]) throws {
    let ring = KeyRing(keysFolder: keys, environment: [:])
    // The same trust records the CLI uses in tests (CLI.run sets XDG_STATE_HOME to testHome/state).
    let trust = TrustSettings(recordFolder: CLI.testHome.appendingPathComponent("state/djsec/trust"))
    try SecretStore.modify(
      store, keyRing: ring, passphrase: { key throws(StoreError) in throw .noPassphrase(keyFile: key.path) }, trust: trust
    ) {
      store throws(StoreError) in
      for (name, value) in secrets { try store.set(name, Array(value.utf8)) }
      for (key, value) in config { store.setConfig(key, value) }
    }
  }
}
