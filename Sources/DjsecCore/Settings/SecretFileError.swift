/// Why djsec would not read or write one of a project's files: the file that
/// receives plaintext secrets (local_settings.py, or `render --out`) must be
/// one git will never commit, and no project file is read or replaced
/// through a symbolic link. Each names the file as the user would type it.
public enum SecretFileError: Error, Equatable, Sendable {
  /// .gitignore, settings.py or local_settings.py is a symbolic link.
  case isLink(path: String)
  /// git tracks the file secrets would be written to.
  case tracked(path: String)
  /// The file is in a git work tree and git would not ignore it; `rule` is
  /// the `!pattern` that re-includes it (`demo/.gitignore:1`), if one does.
  case notIgnored(path: String, rule: String?)
}

extension SecretFileError: DjsecError {
  public var message: String {
    switch self {
    case .isLink(let p): "refusing to read or replace \(p): it is a symbolic link, which can point anywhere on this machine"
    case .tracked(let p): "refusing to write \(p): git tracks it, so its secrets would be committed"
    case .notIgnored(let p, let rule):
      "refusing to write \(p): git would not ignore it\(rule.map { " (\($0) re-includes it)" } ?? ""), so its secrets could be committed"
    }
  }

  public var hint: String? {
    switch self {
    case .isLink(let p):
      "replace \(p) with a regular file (remove the link; restore any content you need from a copy you trust), then run djsec again"
    case .tracked(let p):
      "stop tracking it: git rm --cached \(p), and have git ignore it ('djsec init' adds the rule); rotate any secret a commit of it holds"
    case .notIgnored(_, let rule?):
      "remove the rule at \(rule) (git log -p shows who added it); 'djsec init' then adds the ignore rule"
    case .notIgnored(let p, nil):
      "add \(p) to .gitignore ('djsec init' adds the rule), or pass --out a path outside the repository"
    }
  }
}
