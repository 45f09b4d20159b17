import Foundation

/// The files that decide what a scan leaves out, as they are at a trusted
/// revision (`djsec scan --settings-from REV`), not as the checkout has them.
///
/// Why: in CI a pull request's checkout is written by whoever opened it. A
/// pull request that adds a key could add, in the same commits, a
/// `.djsec.toml` allow list, a `.djsecignore` or `.gitleaksignore` entry or a
/// baseline that silences it, and pass. Read from the pull request's base,
/// those files say only what the branch it merges into already accepted; the
/// pull request's own changes to them take effect once merged.
///
/// The files are copied out of git into a private temporary folder, at their
/// paths in the repository, so the loaders read them unchanged (a gitleaks
/// `[extend] path` resolves among REV's files too). A file that is not at REV
/// is absent, never taken from the checkout.
public final class SettingsSnapshot: Sendable {
  /// Stands in for the repository root when the settings are loaded.
  public let root: URL
  public let revision: String
  private let repositoryRoot: URL

  /// The files always taken from REV when it has them.
  public static let defaultNames = [ScanConfig.defaultName, IgnoreFile.defaultName, IgnoreFile.gitleaksName]

  /// REV's settings files: the default names, every `.toml` file (a gitleaks
  /// `[extend] path` may name any), and `explicit` (paths relative to the
  /// repository root, from `--config`, `--ignore-file`, `--baseline`, ...).
  public init(_ repository: GitRepository, revision: String, explicit: [String]) throws(ScanError) {
    guard let commit = Subprocess.run("git", ["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"], in: repository.path),
      commit.status == 0
    else { throw .badRevision(revision) }
    let sha = commit.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let listing = Subprocess.run("git", ["ls-tree", "-r", "-z", "--name-only", sha], in: repository.path), listing.status == 0
    else { throw .gitFailed(command: "git ls-tree \(revision)", path: repository.path.path) }
    let wanted = Set(Self.defaultNames + explicit)
    let names = listing.stdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      .filter { wanted.contains($0) || $0.hasSuffix(".toml") }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-settings-\(UUID().uuidString)")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      for name in names {
        guard let blob = Subprocess.run("git", ["cat-file", "blob", "\(sha):\(name)"], in: repository.path), blob.status == 0 else {
          throw ScanError.gitFailed(command: "git cat-file blob \(revision):\(name)", path: repository.path.path)
        }
        let file = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try blob.stdout.write(to: file)
      }
    } catch {
      try? FileManager.default.removeItem(at: folder)
      throw (error as? ScanError) ?? .unreadable(path: folder.path)
    }
    root = folder
    self.revision = revision
    repositoryRoot = repository.root.resolvingSymlinksInPath()
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  /// A path given on the command line (relative to `folder`): inside the
  /// repository it is read from REV (nil when REV does not have it), outside
  /// it is the user's own file and stays as it is.
  public func path(_ given: String, from folder: URL) -> String? {
    guard let relative = Self.relativePath(given, from: folder, repositoryRoot: repositoryRoot) else { return given }
    let inSnapshot = root.appendingPathComponent(relative).path
    return FileManager.default.fileExists(atPath: inSnapshot) ? inSnapshot : nil
  }

  /// `given`'s path inside the repository, or nil when it is outside.
  public static func relativePath(_ given: String, from folder: URL, repositoryRoot: URL) -> String? {
    let absolute = URL(fileURLWithPath: given, relativeTo: folder).standardizedFileURL.resolvingSymlinksInPath().path
    let top = repositoryRoot.resolvingSymlinksInPath().path
    let prefix = top.hasSuffix("/") ? top : top + "/"
    return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : nil
  }

  /// The settings files the checkout has differently from REV (changed,
  /// added or removed), for a warning: they take effect only once merged.
  public func differences(among relativePaths: [String]) -> [String] {
    relativePaths.filter { relative in
      let checkout = FileManager.default.contents(atPath: repositoryRoot.appendingPathComponent(relative).path)
      let trusted = FileManager.default.contents(atPath: root.appendingPathComponent(relative).path)
      return checkout != trusted
    }
  }
}
