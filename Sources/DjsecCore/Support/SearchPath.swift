#if canImport(Glibc)
  import Glibc
#endif

/// Finds a program by name the way a shell does: the first folder of PATH
/// that holds an executable of that name (execve itself does not search).
public enum SearchPath {
  /// The search path a shell uses when PATH is unset.
  public static let fallback = "/usr/local/bin:/usr/bin:/bin"

  /// `program`'s path in the first folder of `path` (a PATH value) where it
  /// is executable; nil when none has it. Empty entries are skipped: a
  /// program found in the current folder by accident is not the one meant.
  public static func find(_ program: String, in path: String?) -> String? {
    for folder in (path ?? fallback).split(separator: ":") where !folder.isEmpty {
      let candidate = "\(folder)/\(program)"
      if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }
}
