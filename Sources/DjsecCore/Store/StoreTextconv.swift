import Foundation

/// The store as text for `git diff` (textconv). By default each entry shows
/// its name and a short digest of its value keyed with the reader's own key
/// (SecretStore.valueDigest), so a diff shows which values changed without
/// showing any, even when it is written to a CI log. Plaintext only when
/// asked for (`djsec git-setup --plaintext-diff`).
public enum StoreTextconv {
  public static func text(
    _ url: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8], trust: TrustSettings, plaintext: Bool
  ) -> String {
    let store: SecretStore
    do { store = try SecretStore.open(url, keyRing: keyRing, passphrase: passphrase, trust: trust, access: .review) } catch {
      return unopened(url, reason: error.message)
    }
    var out = "# generation \(store.file.generation), signed by \(store.file.signer?.label ?? "nobody (version 1)")"
    switch store.verdict {
    case .trusted: out += "\n"
    case .older: out += " (older than the newest you have seen)\n"
    case .untrusted: out += " (NOT accepted by you)\n"
    case .removedReturned(let l): out += " (gives access back to \(l.joined(separator: ", ")))\n"
    case .unsigned: out += " (unsigned)\n"
    }
    for key in store.file.config.keys.sorted() { out += "config \(key) = \(store.file.config[key]!)\n" }
    for r in store.file.recipients { out += "recipient \(r.label) \(r.identity?.fingerprint ?? "(version 1)")\n" }
    // Values of a store the reader does not trust are never decrypted: its
    // writer could fill it with guesses and read the digests from a CI log.
    guard store.verdict.trustsSigner else {
      for name in store.names { out += "\(name) = <not decrypted: untrusted>\n" }
      return out
    }
    for name in store.names {
      if plaintext {
        out += "\(name) = \((try? quoted(store.string(name))) ?? "<cannot decrypt>")\n"
      } else {
        out += "\(name) = \((try? "<digest \(store.valueDigest(name))>") ?? "<cannot decrypt>")\n"
      }
    }
    return out
  }

  /// A store this user cannot open still shows its names (in clear in the
  /// file anyway); anything else is shown as it is.
  private static func unopened(_ url: URL, reason: String) -> String {
    guard let data = FileManager.default.contents(atPath: url.path) else { return "" }
    guard let file = try? StoreFile.parse(bytes: Array(data), file: url.lastPathComponent) else {
      return String(decoding: data, as: UTF8.self)
    }
    var out = "# cannot open: \(reason)\n"
    for key in file.config.keys.sorted() { out += "config \(key) = \(file.config[key]!)\n" }
    for r in file.recipients { out += "recipient \(r.label) \(r.identity?.fingerprint ?? "(version 1)")\n" }
    for name in file.secrets.keys.sorted() { out += "\(name) = <ciphertext \(String(SecretDigest.hex(file.secrets[name]!).prefix(12)))>\n" }
    return out
  }

  private static func quoted(_ value: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
  }
}
