/// What can be wrong with `.djsec.toml` or a gitleaks rule file: each names
/// the file and, where there is one, the line.
public enum ConfigError: Error, Equatable, Sendable {
  case unreadable(path: String)
  /// Not TOML (or TOML this reader refuses: TOML.swift says which).
  case syntax(path: String, line: Int, reason: String)
  /// TOML, but not a setting djsec knows or a value it takes.
  case invalid(path: String, line: Int, reason: String)
  /// `[extend] path` chains deeper than gitleaks allows, or loops.
  case extendChain(path: String, reason: String)
}

extension ConfigError: DjsecError {
  public var message: String {
    switch self {
    case .unreadable(let p): "cannot read configuration file \(p)"
    case .syntax(let p, let n, let reason): "\(p) line \(n) is not valid TOML: \(reason)"
    case .invalid(let p, let n, let reason): "\(p) line \(n): \(reason)"
    case .extendChain(let p, let reason): "\(p): \(reason)"
    }
  }

  public var hint: String? {
    switch self {
    case .unreadable: "check the path and the file's permissions"
    case .syntax: "fix that line (regular expressions read best in '''literal''' quotes)"
    case .invalid(let p, _, _) where p.hasSuffix(ScanConfig.defaultName) || !p.contains("gitleaks"):
      "docs/config.md lists every setting of .djsec.toml"
    case .invalid: "docs/config.md says which gitleaks settings djsec reads"
    case .extendChain: "extend at most two files deep, and never a file that extends back"
    }
  }
}
