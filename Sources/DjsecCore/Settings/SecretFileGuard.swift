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
/// .gitignore and settings.py are never read or replaced through a symbolic
/// link: a committed `.gitignore -> ../.aws/credentials` would otherwise have
/// its target read and copied into the repository. A secret file may be a
/// link the user made (local_settings.py -> /etc/app/local_settings.py): it
/// is written where the link points (AtomicFile), so the checks apply to that
/// target, and to the link itself, which must not be tracked: a committed
/// link would send every clone's secrets wherever its author chose.
public enum SecretFileGuard {
  /// `file` (a .gitignore, settings.py) is not a symbolic link. Messages
  /// name files relative to `root`, the project's folder.
  public static func checkNotLink(_ file: URL, root: URL) throws(SecretFileError) {
    if SymbolicLink.isLink(file) { throw .isLink(path: relativePath(file, from: root)) }
  }

  /// `file` may receive plaintext secrets. `ruleAddedTo` is the .gitignore
  /// `init` is about to append `file`'s ignore rule to: a file not ignored
  /// yet is accepted when that rule will decide (no rule nearer the file
  /// re-includes it).
  ///
  /// A symbolic link is followed to its target (a dangling one is refused),
  /// where these checks apply; the rule `init` adds covers the link, not its
  /// target, which must be ignored already (or outside every work tree).
  /// Returns the file to write: the target, resolved once here, for the
  /// caller to write (AtomicFile resolves again: a path that is no link
  /// resolves to itself).
  @discardableResult
  public static func checkSecretTarget(_ file: URL, root: URL, ruleAddedTo gitignore: URL? = nil) throws(SecretFileError) -> URL {
    guard SymbolicLink.isLink(file) else {
      try checkUntrackedAndIgnored(file, root: root, ruleAddedTo: gitignore)
      return file
    }
    if Git.isTracked(file) { throw .trackedLink(path: relativePath(file, from: root)) }
    let target: URL
    do { target = try SymbolicLink.resolved(file) } catch {
      if case .danglingLink(_, let destination) = error { throw .danglingLink(path: relativePath(file, from: root), target: destination) }
      throw .file(error)
    }
    // Named from the project's real folder, as the target's path is.
    try checkUntrackedAndIgnored(target, root: (try? SymbolicLink.resolved(root)) ?? root, ruleAddedTo: nil)
    return target
  }

  private static func checkUntrackedAndIgnored(_ file: URL, root: URL, ruleAddedTo gitignore: URL?) throws(SecretFileError) {
    // git refusing to look is no proof the file is outside every repository.
    let folder = file.deletingLastPathComponent()
    if FileManager.default.fileExists(atPath: folder.path), Git.workTree(folder) == .refused {
      throw .gitRefused(path: relativePath(file, from: root), folder: folder.path)
    }
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
