import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What one checkout remembers about itself: the environment it renders (a
/// laptop renders development, a server production) and, per environment,
/// the settings file, template and output path it last rendered with (so
/// `rotate` renders exactly the same way), and copies of files djsec
/// replaced (Backups).
///
/// It lives in the user's own state folder, `$XDG_STATE_HOME/djsec/checkouts/ID`
/// (ID: a digest of the checkout's real path), never in the work tree. It
/// decides where secrets are written, so no commit, pull, archive or other
/// user of a shared checkout may supply it: a folder in the tree could be
/// committed (a pushed `.djsec/render-production` choosing production's
/// output path), be a pushed symbolic link, hide from `git ls-files` as a
/// bare-repository lookalike, or come with a tarball that has no `.git` to ask.
/// Nothing in it is secret but the backups, which are 0600 in 0700 folders.
public struct LocalState: Sendable {
  /// nil when the user has no state folder (no home): nothing is remembered.
  public let folder: URL?

  public init(root: URL, userState: URL?) {
    folder = userState.map { $0.appendingPathComponent("checkouts").appendingPathComponent(Self.id(of: root)) }
  }

  /// A digest of the checkout's real path: the same checkout reached through
  /// a link is one checkout.
  static func id(of root: URL) -> String {
    let path = (try? SymbolicLink.resolved(root))?.path ?? root.standardizedFileURL.path
    return SecretDigest.hex(Array(path.utf8))
  }

  var environmentFile: URL? { folder?.appendingPathComponent("environment") }

  /// The environment this checkout chose last, or nil (never chosen, or a
  /// file that does not hold a valid name: then the default applies).
  public var environment: EnvironmentName? {
    guard let file = environmentFile, let text = try? AtomicFile.readText(file) else { return nil }
    return EnvironmentName(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Remembers `env` as this checkout's environment.
  public func remember(_ env: EnvironmentName) throws(FileError) {
    guard let file = environmentFile, env != environment else { return }
    try prepare()
    try AtomicFile.write(env.rawValue + "\n", to: file, mode: 0o600)
  }

  /// The paths `render` was last given for `env` here (absolute), if any.
  public func renderPaths(for env: EnvironmentName) -> RenderPaths? {
    guard let file = renderFile(env), let text = try? AtomicFile.readText(file) else { return nil }
    var paths = RenderPaths()
    for line in text.split(separator: "\n") {
      guard let space = line.firstIndex(of: " ") else { continue }
      let value = String(line[line.index(after: space)...])
      guard value.hasPrefix("/") else { continue }
      switch line[..<space] {
      case "settings": paths.settings = value
      case "template": paths.template = value
      case "out": paths.out = value
      default: continue
      }
    }
    return paths
  }

  /// Remembers the paths `env` was rendered with.
  public func remember(_ paths: RenderPaths, for env: EnvironmentName) throws(FileError) {
    guard let file = renderFile(env), paths != renderPaths(for: env) ?? RenderPaths() else { return }
    try prepare()
    let lines = [("settings", paths.settings), ("template", paths.template), ("out", paths.out)].compactMap { key, value in
      value.map { "\(key) \($0)\n" }
    }
    try AtomicFile.write("# djsec render settings for environment \(env)\n" + lines.joined(), to: file, mode: 0o600)
  }

  func renderFile(_ env: EnvironmentName) -> URL? { folder?.appendingPathComponent("render-\(env.rawValue)") }

  /// Makes the folder (0700, and its parents), refusing one that is a link.
  func prepare() throws(FileError) {
    guard let folder else { return }
    var path = ""
    for part in folder.standardizedFileURL.path.split(separator: "/") {
      path += "/" + part
      if mkdir(path, 0o700) != 0, errno != EEXIST { throw .cannotWrite(path: path, errno: errno) }
    }
    var info = stat()
    guard lstat(folder.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw .cannotWrite(path: folder.path, errno: ENOTDIR) }
  }
}

/// The settings file, template and output path of one render, absolute.
public struct RenderPaths: Equatable, Sendable {
  public var settings: String?
  public var template: String?
  public var out: String?

  public init(settings: String? = nil, template: String? = nil, out: String? = nil) {
    self.settings = settings
    self.template = template
    self.out = out
  }
}
