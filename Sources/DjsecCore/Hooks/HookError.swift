/// Why `djsec hook install` or `uninstall` could not do its work.
public enum HookError: Error, Equatable, Sendable {
  case notARepository(path: String)
  /// A bare repository has no work tree to commit from: no pre-commit hook runs there.
  case bareRepository(path: String)
  /// `git rev-parse --git-path hooks` failed.
  case hooksFolderUnknown(path: String, reason: String)
  /// The hook to chain cannot be moved aside: a hook already waits there
  /// (djsec chained one before and something replaced djsec's hook since).
  case chainOccupied(hook: String, chained: String)
  /// The template the hook is rendered from (templates/pre-commit) is not installed.
  case templateMissing(path: String)
  /// The template lacks the line that marks a hook as djsec's.
  case templateUnmarked(path: String, marker: String)
  case file(FileError)
}

extension HookError: DjsecError {
  public var message: String {
    switch self {
    case .notARepository(let path): "\(path) is not a git repository"
    case .bareRepository(let path): "\(path) is a bare repository: commits are not made there, so no pre-commit hook runs"
    case .hooksFolderUnknown(let path, let reason): "cannot find the hooks folder of \(path): \(reason)"
    case .chainOccupied(let hook, let chained):
      "\(hook) is not djsec's, and \(chained) already holds a hook djsec chained before: refusing to overwrite either"
    case .templateMissing(let path): "the hook template \(path) is not installed"
    case .templateUnmarked(let path, let marker): "the hook template \(path) lacks the line '\(marker)'"
    case .file(let error): error.message
    }
  }

  public var hint: String? {
    switch self {
    case .notARepository: "run it inside a git repository, or pass the repository's folder"
    case .bareRepository: "install the hook in each clone where commits are made"
    case .hooksFolderUnknown: "run 'git rev-parse --git-path hooks' there to see why"
    case .chainOccupied(let hook, let chained):
      "merge the two by hand (keep one of \(hook) and \(chained)), then run 'djsec hook install' again"
    case .templateUnmarked: "restore the template shipped with djsec: the line is how djsec tells its hook from yours"
    case .templateMissing: "reinstall djsec (make install puts the templates in PREFIX/share/djsec/templates)"
    case .file(let error): error.hint
    }
  }
}
