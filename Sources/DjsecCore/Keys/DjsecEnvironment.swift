import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The environment variables djsec reads, taken once at start-up.
///
/// `capture()` copies every DJSEC_* variable into this value and removes it
/// from the process environment, so no child process (an editor, git, a hook
/// git runs, a textconv) ever inherits a private key or a passphrase. The
/// private key and the passphrase go straight into guarded memory, and their
/// bytes in the environment block are wiped.
public struct DjsecEnvironment: Sendable {
  /// `DJSEC_PRIVATE_KEY`: a base64 private key, for CI.
  public var privateKey: SecretBytes?
  /// `DJSEC_KEY_FILE`: the path of a key file outside the checkout.
  public var keyFile: String?
  /// `DJSEC_PASSPHRASE`: the passphrase of a protected key file, where no terminal can ask.
  public var passphrase: SecretBytes?
  /// The per-user key folder: `$XDG_CONFIG_HOME/djsec/keys`, else `~/.config/djsec/keys`.
  public var userKeys: URL?
  /// The per-user state folder: `$XDG_STATE_HOME/djsec`, else `~/.local/state/djsec`.
  public var userState: URL?
  /// Every other DJSEC_* variable, by name (none holds a secret today).
  public var others: [String: String] = [:]

  static let secretNames: Set = ["DJSEC_PRIVATE_KEY", "DJSEC_PASSPHRASE"]

  /// Read from a dictionary of variables; nothing is removed from anywhere.
  public init(_ variables: [String: String] = [:]) {
    privateKey = variables["DJSEC_PRIVATE_KEY"].map { SecretBytes(copying: Array($0.utf8)) }
    keyFile = variables["DJSEC_KEY_FILE"]
    passphrase = variables["DJSEC_PASSPHRASE"].map { SecretBytes(copying: Array($0.utf8)) }
    userKeys = Self.userKeysFolder(config: variables["XDG_CONFIG_HOME"], home: variables["HOME"])
    userState = Self.userStateFolder(state: variables["XDG_STATE_HOME"], home: variables["HOME"])
    others = variables.filter { $0.key.hasPrefix("DJSEC_") && !Self.secretNames.contains($0.key) && $0.key != "DJSEC_KEY_FILE" }
  }

  /// Takes every DJSEC_* variable out of the process environment (see the
  /// type's comment). Call it once, first thing, before any thread or child
  /// process starts.
  public static func capture() -> DjsecEnvironment {
    var env = DjsecEnvironment()
    let get = { (name: String) in getenv(name).map { String(cString: $0) } }
    env.userKeys = userKeysFolder(config: get("XDG_CONFIG_HOME"), home: get("HOME"))
    env.userState = userStateFolder(state: get("XDG_STATE_HOME"), home: get("HOME"))
    for name in djsecVariableNames() {
      guard let value = getenv(name) else { continue }
      switch name {
      case "DJSEC_PRIVATE_KEY": env.privateKey = SecretBytes(takingCString: value)
      case "DJSEC_PASSPHRASE": env.passphrase = SecretBytes(takingCString: value)
      case "DJSEC_KEY_FILE": env.keyFile = String(cString: value)
      default: env.others[name] = String(cString: value)
      }
      unsetenv(name)
    }
    return env
  }

  /// The names of the DJSEC_* variables in the process environment, read
  /// without copying any value.
  private static func djsecVariableNames() -> [String] {
    var names: [String] = []
    var entry = environ
    while let pointer = entry.pointee {
      if strncmp(pointer, "DJSEC_", 6) == 0, let equals = strchr(pointer, 61 /* = */) {
        let length = pointer.distance(to: equals)
        names.append(String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self))
      }
      entry += 1
    }
    return names
  }

  /// XDG's rule: XDG_STATE_HOME when set to an absolute path, else ~/.local/state.
  static func userStateFolder(state: String?, home: String?) -> URL? {
    if let state, state.hasPrefix("/") { return URL(fileURLWithPath: state).appendingPathComponent("djsec") }
    guard let home, home.hasPrefix("/") else { return nil }
    return URL(fileURLWithPath: home).appendingPathComponent(".local/state/djsec")
  }

  /// XDG's rule: XDG_CONFIG_HOME when set to an absolute path, else ~/.config.
  static func userKeysFolder(config: String?, home: String?) -> URL? {
    if let config, config.hasPrefix("/") { return URL(fileURLWithPath: config).appendingPathComponent("djsec/keys") }
    guard let home, home.hasPrefix("/") else { return nil }
    return URL(fileURLWithPath: home).appendingPathComponent(".config/djsec/keys")
  }
}
