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
    let sha = try repository.commit(revision)
    // "MODE TYPE ID\tPATH" per file: symlinks (120000) are followed inside REV's tree.
    guard let listing = Subprocess.run("git", ["ls-tree", "-r", "-z", sha], in: repository.path), listing.status == 0
    else { throw .gitFailed(command: "git ls-tree \(revision)", path: repository.path.path) }
    var tree: [String: (mode: String, id: String)] = [:]
    for entry in listing.stdout.split(separator: 0) {
      guard let tab = entry.firstIndex(of: 9) else { continue }
      let fields = entry[..<tab].split(separator: 32).map { String(decoding: $0, as: UTF8.self) }
      guard fields.count == 3, fields[1] == "blob" else { continue }
      tree[String(decoding: entry[(tab + 1)...], as: UTF8.self)] = (fields[0], fields[2])
    }
    let wanted = Set(Self.defaultNames + explicit)
    // Each wanted name with the file it reads: a link is replaced by what it
    // points to at REV (a few hops at most); one that leaves the tree or leads
    // nowhere is left out. Blobs are read through one `git cat-file --batch`
    // per hop, not one git per file.
    var reads: [String: (path: String, entry: (mode: String, id: String))] = [:]
    for (name, entry) in tree where wanted.contains(name) || name.hasSuffix(".toml") { reads[name] = (name, entry) }
    var contents: [String: Data] = [:]
    func read(_ ids: [String]) throws(ScanError) {
      let missing = Array(Set(ids).subtracting(contents.keys))
      if missing.isEmpty { return }
      try repository.readBlobs(missing) { id, bytes in contents[id] = Data(bytes) }
    }
    for _ in 0..<8 {
      let links = reads.filter { $0.value.entry.mode == "120000" }
      if links.isEmpty { break }
      try read(links.map(\.value.entry.id))
      for (name, link) in links {
        let target = String(decoding: contents[link.entry.id] ?? Data(), as: UTF8.self)
        reads[name] = Self.resolve(target, from: link.path).flatMap { next in tree[next].map { (next, $0) } }
      }
    }
    reads = reads.filter { $0.value.entry.mode != "120000" }
    try read(reads.map(\.value.entry.id))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-settings-\(UUID().uuidString)")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      for (name, file) in reads {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (contents[file.entry.id] ?? Data()).write(to: url)
      }
    } catch {
      try? FileManager.default.removeItem(at: folder)
      throw .unreadable(path: folder.path)
    }
    root = folder
    self.revision = revision
    repositoryRoot = repository.root
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

  /// `given`'s path inside the repository, or nil when it is outside. Worked
  /// out from the names alone: a symlink in the checkout is the pull
  /// request's, and must not decide which of REV's files is read.
  public static func relativePath(_ given: String, from folder: URL, repositoryRoot: URL) -> String? {
    let absolute = URL(fileURLWithPath: given, relativeTo: folder).standardizedFileURL.path
    let top = repositoryRoot.standardizedFileURL.path
    if absolute == top { return "" }
    let prefix = top.hasSuffix("/") ? top : top + "/"
    return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : nil
  }

  /// Where a path relative to the folder djsec was started in lands among
  /// REV's files (gitleaks reads `[extend] path` from there); nil outside the repository.
  public func startFolder(for folder: URL) -> URL? {
    Self.relativePath(folder.path, from: folder, repositoryRoot: repositoryRoot).map {
      $0.isEmpty ? root : root.appendingPathComponent($0)
    }
  }

  /// A link's target, as a path in the tree, when it stays inside it.
  static func resolve(_ target: String, from link: String) -> String? {
    guard !target.hasPrefix("/") else { return nil }
    var parts = link.split(separator: "/").dropLast().map(String.init)
    for part in target.split(separator: "/") {
      switch part {
      case ".": continue
      case "..":
        guard !parts.isEmpty else { return nil }
        parts.removeLast()
      default: parts.append(String(part))
      }
    }
    return parts.joined(separator: "/")
  }

  /// The settings files the checkout has differently from REV (changed,
  /// added or removed), for a warning: they take effect only once merged.
  /// `files` may be paths inside the snapshot (what the loaders read).
  public func differences(among files: [String]) -> [String] {
    let top = root.standardizedFileURL.path + "/"
    var seen = Set<String>()
    let relativePaths = files.map { $0.hasPrefix(top) ? String($0.dropFirst(top.count)) : $0 }.filter { seen.insert($0).inserted }
    return relativePaths.filter { relative in
      let checkout = FileManager.default.contents(atPath: repositoryRoot.appendingPathComponent(relative).path)
      let trusted = FileManager.default.contents(atPath: root.appendingPathComponent(relative).path)
      return checkout != trusted
    }
  }
}

extension SettingsSnapshot {
  /// `text` with the snapshot's temporary paths written as `REV:path`, the
  /// way git names a file at a revision (for warnings and errors).
  public func naming(_ text: String) -> String {
    text.replacingOccurrences(of: root.standardizedFileURL.path + "/", with: "\(revision):")
  }
}

/// An error about a settings file read from REV, naming it `REV:path`
/// instead of by its temporary copy.
public struct SettingsFromError: DjsecError {
  public let inner: any DjsecError
  public let snapshot: SettingsSnapshot

  public init(_ inner: any DjsecError, snapshot: SettingsSnapshot) {
    self.inner = inner
    self.snapshot = snapshot
  }

  public var message: String { snapshot.naming(inner.message) }
  public var hint: String? { inner.hint.map(snapshot.naming) }
  public var exitCode: Int32 { inner.exitCode }
}
