/// Why djsec would not read or write one of a project's files: the file that
/// receives plaintext secrets (local_settings.py, or `render --out`) must be
/// one git will never commit (nor a link to it), and .gitignore and
/// settings.py are never read or replaced through a symbolic link. Each names
/// the file as the user would type it.
public enum SecretFileError: Error, Equatable, Sendable {
  /// .gitignore or settings.py is a symbolic link.
  case isLink(path: String)
  /// The secret file is a symbolic link to nothing.
  case danglingLink(path: String, target: String)
  /// The secret file's link could not be followed.
  case file(FileError)
  /// git tracks the file secrets would be written to.
  case tracked(path: String)
  /// git tracks the symbolic link secrets would be written through.
  case trackedLink(path: String)
  /// The file is in a git work tree and git would not ignore it; `rule` is
  /// the `!pattern` that re-includes it (`demo/.gitignore:1`), if one does.
  case notIgnored(path: String, rule: String?)
  /// git refused to say (the repository belongs to another user), so
  /// whether the file would be committed is unknown.
  case gitRefused(path: String, folder: String)
}

extension SecretFileError: DjsecError {
  public var message: String {
    switch self {
    case .isLink(let p): "refusing to read or replace \(p): it is a symbolic link, which can point anywhere on this machine"
    case .danglingLink(let p, let target): "refusing to write \(p): it is a symbolic link to \(target), which does not exist"
    case .file(let e): e.message
    case .tracked(let p): "refusing to write \(p): git tracks it, so its secrets would be committed"
    case .trackedLink(let p):
      "refusing to write through \(p): git tracks this symbolic link, so whoever committed it chose where the secrets go"
    case .gitRefused(let p, _):
      "refusing to write \(p): git refused to read this repository (it belongs to another user), so djsec cannot tell whether it would be committed"
    case .notIgnored(let p, let rule):
      "refusing to write \(p): git would not ignore it\(rule.map { " (\($0) re-includes it)" } ?? ""), so its secrets could be committed"
    }
  }

  public var hint: String? {
    switch self {
    case .isLink(let p):
      "replace \(p) with a regular file (remove the link; restore any content you need from a copy you trust), then run djsec again"
    case .danglingLink(let p, _):
      "point \(p) at the file the secrets should go to (it must exist), or remove the link so djsec writes a regular file"
    case .file(let e): e.hint
    case .tracked(let p):
      // The exact command, quoted for the shell: the file stays on disk, only git forgets it.
      "stop tracking it (the file stays): git rm --cached \(ShellWord.quoted(p.hasPrefix("-") ? "./" + p : p)), "
        + "and keep it ignored ('djsec init' adds the rule); rotate any secret a commit of it holds"
    case .trackedLink(let p):
      "stop tracking it (git rm --cached \(p)) and check where it points; a link of your own to the file you mean is fine"
    case .gitRefused(_, let folder):
      "run djsec as the checkout's owner, or trust it: git config --global --add safe.directory \(folder)"
    case .notIgnored(_, let rule?):
      "remove the rule at \(rule) (git log -p shows who added it); 'djsec init' then adds the ignore rule"
    case .notIgnored(let p, nil):
      "add \(p) to .gitignore ('djsec init' adds the rule), or pass --out a path outside the repository"
    }
  }
}
