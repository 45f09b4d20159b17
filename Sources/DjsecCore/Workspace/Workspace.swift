import Foundation

/// Everything a command needs to know about where it works, found once at the
/// CLI's edge and passed in: the project (the folder holding manage.py), the
/// environment and its store, the keys, and the settings file named on the
/// command line. Commands no longer search from the current folder each on
/// their own, so they cannot disagree about which store or project they mean.
public struct Workspace: Sendable {
  /// The folder holding manage.py, or the current folder when there is none
  /// (so `djsec keys new` works anywhere).
  public let root: URL
  /// Whether `root` holds manage.py.
  public let isDjangoProject: Bool
  public let environment: EnvironmentName
  /// Where the environment came from, for messages.
  public let environmentSource: EnvironmentSource
  /// The store, its keys and the DJSEC_* variables.
  public let location: StoreLocation
  /// `--settings`: the settings file, overriding the environment's.
  public let settingsOverride: URL?
  /// This checkout's own state (its environment), outside git.
  /// Settled once (its folder is a digest of the checkout's resolved path):
  /// render, rotate and status ask it several times per command.
  public let localState: LocalState

  public enum EnvironmentSource: Equatable, Sendable {
    case flag, variable, remembered, storeOption, implicit
  }

  public var store: URL { location.store }

  /// Finds the project from `start`: up to the nearest folder holding
  /// manage.py, else down (a monorepo's `backend/manage.py`, found from the
  /// repository root when it is the only one). The environment is `--env`,
  /// else DJSEC_ENV, else the one this checkout remembers, else the default.
  public static func find(
    from start: URL, environment flag: String? = nil, store: String? = nil, settings: String? = nil, key: String? = nil,
    variables: DjsecEnvironment
  ) throws(WorkspaceError) -> Workspace {
    let (root, isProject) = try projectRoot(from: start.standardizedFileURL)
    let state = LocalState(root: root, userState: variables.userState)
    let (env, source) = try chooseEnvironment(flag: flag, store: store, variables: variables, state: state)
    let storeURL =
      store.map { URL(fileURLWithPath: $0, relativeTo: start).standardizedFileURL }
      ?? root.appendingPathComponent(env.storeFileName)
    return Workspace(
      root: root, isDjangoProject: isProject, environment: env, environmentSource: source,
      location: location(root: root, store: storeURL, env: env, variables: variables, key: key),
      settingsOverride: settings.map { URL(fileURLWithPath: $0, relativeTo: start).standardizedFileURL },
      localState: state)
  }

  static func location(root: URL, store: URL, env: EnvironmentName, variables: DjsecEnvironment, key: String?) -> StoreLocation {
    var location = StoreLocation(root: root, store: store, environment: variables, key: key)
    location.newStoreLabel = env.isDefault ? nil : env.keyLabel
    return location
  }

  static func chooseEnvironment(flag: String?, store: String?, variables: DjsecEnvironment, state: LocalState) throws(WorkspaceError) -> (
    EnvironmentName, EnvironmentSource
  ) {
    if let flag {
      guard let env = EnvironmentName(flag) else { throw .invalidEnvironment(flag, source: "--env") }
      // A store file of another environment must not render under this one's name.
      if let store, let named = EnvironmentName(storeFileName: URL(fileURLWithPath: store).lastPathComponent), named != env {
        throw .storeOfAnotherEnvironment(store: URL(fileURLWithPath: store).lastPathComponent, environment: env.rawValue)
      }
      return (env, .flag)
    }
    // An explicit --store names its environment through its file name.
    if let store {
      return (EnvironmentName(storeFileName: URL(fileURLWithPath: store).lastPathComponent) ?? .default, .storeOption)
    }
    if let value = variables.others["DJSEC_ENV"], !value.isEmpty {
      guard let env = EnvironmentName(value) else { throw .invalidEnvironment(value, source: "DJSEC_ENV") }
      return (env, .variable)
    }
    if let remembered = state.environment { return (remembered, .remembered) }
    return (.default, .implicit)
  }

  /// Folders never searched for a monorepo's manage.py: virtualenvs,
  /// dependencies and caches hold other projects' files.
  static let skippedFolders: Set = ["node_modules", "site-packages", "__pycache__", "venv", "env", "dist", "build"]

  static func projectRoot(from start: URL) throws(WorkspaceError) -> (URL, Bool) {
    var isDir: ObjCBool = false
    // Not a folder: the command that needs a project says so (DjangoProject.locate).
    guard FileManager.default.fileExists(atPath: start.path, isDirectory: &isDir), isDir.boolValue else { return (start, false) }
    var folder = start
    while true {
      if FileManager.default.fileExists(atPath: folder.appendingPathComponent("manage.py").path) { return (folder, true) }
      let parent = folder.deletingLastPathComponent()
      if parent.path == folder.path { break }
      folder = parent
    }
    // Downwards only from a repository's root (a monorepo's backend/manage.py):
    // elsewhere a folder of unrelated projects must not pick one.
    guard FileManager.default.fileExists(atPath: start.appendingPathComponent(".git").path) else { return (start, false) }
    let below = managePyFolders(under: start, depth: 3)
    if below.count == 1 { return (below[0], true) }
    if below.count > 1 { throw .severalProjects(below.map { relativePath($0, from: start) }.sorted()) }
    return (start, false)
  }

  private static func managePyFolders(under folder: URL, depth: Int) -> [URL] {
    guard depth > 0, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
    var found: [URL] = []
    for name in names.sorted() where !name.hasPrefix(".") && !skippedFolders.contains(name) {
      let child = folder.appendingPathComponent(name)
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: child.path, isDirectory: &isDir), isDir.boolValue, !SymbolicLink.isLink(child)
      else { continue }
      // A virtualenv (whatever its name) holds pyvenv.cfg.
      if FileManager.default.fileExists(atPath: child.appendingPathComponent("pyvenv.cfg").path) { continue }
      if FileManager.default.fileExists(atPath: child.appendingPathComponent("manage.py").path) {
        found.append(child)
      } else {
        found += managePyFolders(under: child, depth: depth - 1)
      }
    }
    return found
  }

  /// Every environment with a store in the project, default first.
  public func environments() -> [EnvironmentName] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    return names.compactMap { EnvironmentName(storeFileName: $0) }.sorted()
  }

  /// The Django project this environment renders for: `--settings`, else the
  /// settings file the store's config names, else the one manage.py names.
  public func project(config: StoreConfig?) throws(ProjectError) -> DjangoProject {
    let settings = settingsOverride ?? config?.settings.map { root.appendingPathComponent($0) }
    return try DjangoProject.locate(root: root, settingsOverride: settings)
  }

  /// A path from a config line or a flag, as a URL: relative to the project root.
  public func resolve(_ path: String) -> URL {
    path.hasPrefix("/") ? URL(fileURLWithPath: path).standardizedFileURL : root.appendingPathComponent(path).standardizedFileURL
  }

  /// How a config line holds `url`: relative to the project root when inside it.
  public func configPath(_ url: URL) -> String {
    let path = url.standardizedFileURL.path
    let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }

  /// `--env NAME` when this workspace's environment must be spelled out in a
  /// command a message suggests (it is not the default), else "".
  public var envFlag: String { environment.isDefault ? "" : " --env \(environment)" }
}
