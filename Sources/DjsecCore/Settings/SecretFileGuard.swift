import Foundation

/// The checks before djsec reads or writes a project file, in one place for
/// `init` and `render` (and `rotate`, which renders).
///
/// A file that will hold plaintext secrets must be one git never commits:
/// not tracked (a stub someone committed, or `git add -f`), and, inside a work
/// tree, ignored. git itself answers, so every rule counts (nested
/// .gitignore files, `!` rules, .git/info/exclude); outside every work tree
/// (`render --out /etc/...`) nothing can commit it. `init` writes the ignore
/// rule itself, so for `init` it is enough that the rule it appends will take
/// effect.
///
/// No project file is read or replaced through a symbolic link: a committed
/// `.gitignore -> ../.aws/credentials` would otherwise have its target read
/// and copied into the repository, and a linked local_settings.py would send
/// the secrets wherever the link points.
public enum SecretFileGuard {
  /// `file` (a .gitignore, settings.py, local_settings.py) is not a symbolic
  /// link. Messages name files relative to `root`, the project's folder.
  public static func checkNotLink(_ file: URL, root: URL) throws(SecretFileError) {
    if SymbolicLink.isLink(file) { throw .isLink(path: relativePath(file, from: root)) }
  }

  /// `file` may receive plaintext secrets. `ruleAddedTo` is the .gitignore
  /// `init` is about to append `file`'s ignore rule to: a file not ignored
  /// yet is accepted when that rule will decide (no rule nearer the file
  /// re-includes it).
  public static func checkSecretTarget(_ file: URL, root: URL, ruleAddedTo gitignore: URL? = nil) throws(SecretFileError) {
    try checkNotLink(file, root: root)
    if Git.isTracked(file) { throw .tracked(path: relativePath(file, from: root)) }
    guard Git.isInsideWorkTree(file.deletingLastPathComponent()), !Git.isIgnored(file) else { return }
    let rule = Git.ignoreRule(for: file)
    if let gitignore, !(rule.map { overrides($0, gitignore) } ?? false) { return }
    throw .notIgnored(path: relativePath(file, from: root), rule: rule.map { "\(relativePath($0.source, from: root)):\($0.line)" })
  }

  /// Whether `rule` still decides once a line is appended to `gitignore`: a
  /// .gitignore in a folder below `gitignore`'s takes precedence over it;
  /// an earlier line of the same file, one above it, .git/info/exclude and
  /// core.excludesFile do not.
  private static func overrides(_ rule: Git.IgnoreRule, _ gitignore: URL) -> Bool {
    let folder = gitignore.deletingLastPathComponent().resolvingSymlinksInPath().path
    let source = rule.source.resolvingSymlinksInPath()
    return rule.source.lastPathComponent == ".gitignore" && source.deletingLastPathComponent().path.hasPrefix(folder + "/")
  }
}
