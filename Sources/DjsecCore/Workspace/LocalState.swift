import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What one checkout remembers about itself, outside git: the environment it
/// renders (a laptop renders development, a server production) and, per
/// environment, the settings file, template and output path it last
/// rendered with (so `rotate` renders exactly the same way). It lives in
/// `.djsec/` beside manage.py, a folder that ignores itself (its own
/// .gitignore holds `*`, as pytest's cache does), so it stays out of commits
/// even in a project whose .gitignore predates it. Nothing in it is secret.
public struct LocalState: Sendable {
  public let folder: URL

  public init(root: URL) {
    folder = root.appendingPathComponent(".djsec")
  }

  var environmentFile: URL { folder.appendingPathComponent("environment") }

  /// The folder is this checkout's own, or absent. It decides where secrets
  /// are written (a remembered `out`) and which environment renders, so a
  /// commit must never supply it: not a symbolic link (a pushed
  /// `.djsec -> /etc` would have djsec write there), nothing in it tracked
  /// by git (a pushed `.djsec/render-production` would choose production's
  /// output path), and no link inside it.
  public func verify() throws(WorkspaceError) {
    var info = stat()
    guard lstat(folder.path, &info) == 0 else { return }
    let shown = ".djsec"
    guard info.st_mode & S_IFMT != S_IFLNK else { throw .untrustedLocalState(path: shown, reason: "it is a symbolic link") }
    guard info.st_mode & S_IFMT == S_IFDIR else { throw .untrustedLocalState(path: shown, reason: "it is not a folder") }
    if let tracked = Git.trackedPaths(under: folder).first {
      throw .untrustedLocalState(path: "\(shown)/\(tracked)", reason: "git tracks it, so a commit chose it")
    }
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
      var entry = stat()
      if lstat(folder.appendingPathComponent(name).path, &entry) == 0, entry.st_mode & S_IFMT == S_IFLNK {
        throw .untrustedLocalState(path: "\(shown)/\(name)", reason: "it is a symbolic link")
      }
    }
  }

  /// The environment this checkout chose last, or nil (never chosen, or a
  /// file that does not hold a valid name: then the default applies and
  /// `djsec status` shows it).
  public var environment: EnvironmentName? {
    guard let text = try? AtomicFile.readText(environmentFile) else { return nil }
    return EnvironmentName(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Remembers `env` as this checkout's environment.
  public func remember(_ env: EnvironmentName) throws(FileError) {
    guard env != environment else { return }
    try prepare()
    try AtomicFile.write(env.rawValue + "\n", to: environmentFile, mode: 0o644)
  }

  /// The paths `render` was last given for `env` here (absolute), if any.
  public func renderPaths(for env: EnvironmentName) -> RenderPaths? {
    guard let text = try? AtomicFile.readText(renderFile(env)) else { return nil }
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
    guard paths != renderPaths(for: env) ?? RenderPaths() else { return }
    try prepare()
    let lines = [("settings", paths.settings), ("template", paths.template), ("out", paths.out)].compactMap { key, value in
      value.map { "\(key) \($0)\n" }
    }
    try AtomicFile.write("# djsec render settings for environment \(env)\n" + lines.joined(), to: renderFile(env), mode: 0o644)
  }

  func renderFile(_ env: EnvironmentName) -> URL { folder.appendingPathComponent("render-\(env.rawValue)") }

  /// Makes the folder and its self-ignoring .gitignore.
  func prepare() throws(FileError) {
    if mkdir(folder.path, 0o755) != 0, errno != EEXIST { throw .cannotWrite(path: folder.path, errno: errno) }
    let ignore = folder.appendingPathComponent(".gitignore")
    if !FileManager.default.fileExists(atPath: ignore.path) {
      try AtomicFile.write("# Written by djsec: this checkout's own state, never committed.\n*\n", to: ignore, mode: 0o644)
    }
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
