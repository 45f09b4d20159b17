import Foundation

/// The merge driver and diff textconv `djsec git-setup` registers: a
/// program they name that git cannot find makes every merge of a store a
/// conflict and every diff an error, long after the fact. `djsec status`
/// says so, with the command that mends it.
public enum GitDriver {
  static let keys = ["merge.djsec.driver", "diff.djsec.textconv"]

  /// A line naming the setting whose program is missing, or nil.
  public static func problem(in root: URL, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
    for key in keys {
      guard let r = Subprocess.run("git", ["config", "--get", key], in: root), r.status == 0 else { continue }
      let command = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
      guard let program = firstWord(command), !program.isEmpty else { continue }
      let found = program.contains("/") ? FileManager.default.isExecutableFile(atPath: program) : SearchPath.find(program, in: path) != nil
      if !found {
        return "git's \(key) runs \(program), which \(program.contains("/") ? "does not exist" : "is not on PATH"): "
          + "run 'djsec git-setup' again (it registers djsec by name)"
      }
    }
    return nil
  }

  /// The program of a command line git runs through the shell: the first
  /// word, unquoted when single-quoted (how earlier djsec wrote a path).
  static func firstWord(_ command: String) -> String? {
    if command.hasPrefix("'") {
      let rest = command.dropFirst()
      guard let end = rest.firstIndex(of: "'") else { return nil }
      return String(rest[..<end])
    }
    return command.split(separator: " ").first.map(String.init)
  }
}
