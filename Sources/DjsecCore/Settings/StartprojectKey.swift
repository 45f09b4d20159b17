/// startproject writes `SECRET_KEY = 'django-insecure-…'` into settings.py: a
/// key every clone of the repository holds, on which Django runs whenever
/// nothing replaces it. `init` takes that line out and leaves a comment in
/// its place, so that without djsec's settings (the settings.py block removed,
/// or a tool that imports settings.py some other way) SECRET_KEY is unset and
/// Django refuses to sign anything (ImproperlyConfigured) rather than sign
/// with a published key.
///
/// Only that exact shape is rewritten: a module-level assignment of one plain
/// `django-insecure-` string literal. Any other SECRET_KEY line (read from the
/// environment, a vault, a file) was written by someone on purpose; it is left
/// as it is and reported by line.
public enum StartprojectKey {
  /// What stands where the key was.
  public static let comment =
    "# SECRET_KEY is set by djsec in local_settings.py (loaded at the end of this file); "
    + "djsec init removed the published key startproject wrote here."

  public struct Removal: Equatable, Sendable {
    /// settings.py without startproject's key, or nil when there was none to remove.
    public let text: String?
    /// The 1-based lines of other SECRET_KEY assignments, left as they are.
    public let kept: [Int]
  }

  public static func remove(from settings: String) -> Removal {
    // Split on the byte "\n", not the Character: "\r\n" is one Character in Swift.
    var lines = settings.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    var removed = false
    var kept: [Int] = []
    for (index, line) in lines.enumerated() {
      let body = line.hasSuffix("\r") ? line.dropLast() : line[...]
      if isStartprojectKey(body) {
        lines[index] = comment + (line.hasSuffix("\r") ? "\r" : "")
        removed = true
      } else if assignsSecretKey(body) {
        kept.append(index + 1)
      }
    }
    return Removal(text: removed ? lines.joined(separator: "\n") : nil, kept: kept)
  }

  /// `SECRET_KEY = 'django-insecure-…'` at the start of the line, as
  /// startproject writes it: one quoted literal with no escapes, then nothing.
  static func isStartprojectKey(_ line: Substring) -> Bool {
    let prefix = "SECRET_KEY = "
    guard line.hasPrefix(prefix) else { return false }
    let rest = line.dropFirst(prefix.count)
    guard let quote = rest.first, quote == "'" || quote == "\"" else { return false }
    let literal = rest.dropFirst()
    guard literal.hasPrefix("django-insecure-"), let close = literal.firstIndex(of: quote) else { return false }
    let key = literal[..<close]
    return !key.contains("\\") && literal[literal.index(after: close)...].allSatisfy { $0 == " " || $0 == "\t" }
  }

  /// Any other statement that binds SECRET_KEY: `SECRET_KEY = …`, `SECRET_KEY: str = …`, indented or not.
  static func assignsSecretKey(_ line: Substring) -> Bool {
    let code = line.drop(while: { $0 == " " || $0 == "\t" })
    guard code.hasPrefix("SECRET_KEY") else { return false }
    let after = code.dropFirst("SECRET_KEY".count).drop(while: { $0 == " " || $0 == "\t" })
    if after.first == ":" { return true }
    return after.first == "=" && after.dropFirst().first != "="
  }
}
