import Foundation

/// Where one environment stands on this machine, for `djsec status`: its
/// store (recipients, whether a key here opens it), the local_settings.py it
/// renders to and whether that file is in step with the store, and temporary
/// files a killed djsec left beside either. Each question is a predicate of
/// its own so `djsec check` can ask the same ones.
public struct EnvironmentStatus: Sendable {
  public let summary: EnvironmentSummary
  /// The store opened with a key here (and its signature is trusted).
  public let opens: Bool
  /// Why it did not, when it did not (a message, never a value).
  public let openProblem: String?
  /// Where this environment renders, when that can be told.
  public let target: URL?
  public let deployment: Deployed
  /// Temporary files of djsec's beside the store or local_settings.py.
  public let temporaryFiles: [URL]

  public enum Deployed: Equatable, Sendable {
    /// Nothing rendered here.
    case absent
    /// Rendered from this store, on its current key and fallbacks.
    case inStep
    /// Rendered from this store, but the store changed since (a rotation
    /// that did not render, another machine's commit).
    case behind
    /// The file holds another environment's render.
    case otherEnvironment(String)
    /// A file djsec did not write.
    case notRendered
    /// Rendered from this store; whether in step is unknown (no key here opens it).
    case unknown
  }

  /// `open` opens the store (with the user's keys and trust); nil when it cannot.
  public init(
    _ workspace: Workspace, environment env: EnvironmentName, open: (URL) throws -> SecretStore
  ) {
    let storeURL = env == workspace.environment ? workspace.store : workspace.root.appendingPathComponent(env.storeFileName)
    summary = EnvironmentSummary(name: env, store: storeURL)
    var store: SecretStore?
    var problem: String?
    do { store = try open(storeURL) } catch { problem = (error as? any DjsecError)?.message ?? "\(error)" }
    opens = store != nil
    openProblem = problem
    target = Self.target(workspace, env: env, summary: summary)
    let summary = summary
    deployment =
      target.map {
        Self.deployed($0, store: store, storeName: storeURL.lastPathComponent, fromEnvironment: summary.secretsFromEnvironment)
      } ?? .absent
    temporaryFiles = Self.temporaryFiles(near: [storeURL] + (target.map { [$0] } ?? []))
  }

  /// Where `env` renders: this checkout's memory, else the store's settings,
  /// else beside the settings file manage.py names.
  static func target(_ workspace: Workspace, env: EnvironmentName, summary: EnvironmentSummary) -> URL? {
    let memory = workspace.localState.renderPaths(for: env)
    if let out = memory?.out { return URL(fileURLWithPath: out) }
    if let out = summary.out { return workspace.resolve(out) }
    let settings = (memory?.settings).map { URL(fileURLWithPath: $0) } ?? summary.settings.map { workspace.resolve($0) }
    return try? DjangoProject.locate(root: workspace.root, settingsOverride: settings).localSettingsFile
  }

  /// Whether the file at `target` is this store's render, and on its keys.
  static func deployed(_ target: URL, store: SecretStore?, storeName: String, fromEnvironment: Bool) -> Deployed {
    guard let text = try? AtomicFile.readText(target) else { return .absent }
    guard let origin = Renderer.Origin(firstLineOf: text) else { return .notRendered }
    guard origin.store == storeName else { return .otherEnvironment(origin.environment) }
    // Its keys come from the environment at start-up: nothing in it can fall behind.
    if fromEnvironment { return .inStep }
    guard let store else { return .unknown }
    guard let key = try? store.string(SecretKeyEntries.key), let fallbacks = try? SecretKeyEntries.fallbackKeys(in: store) else {
      return .unknown
    }
    let deployedKey = PythonLiteral.assignedString(named: SecretKeyEntries.key, in: text)
    let deployedFallbacks = PythonLiteral.assignedStrings(named: SecretKeyEntries.fallbacks, in: text)
    return deployedKey == key && deployedFallbacks == fallbacks ? .inStep : .behind
  }

  /// Temporary files a killed djsec left (AtomicFile.staleTemporaryFiles)
  /// in the folders of `files`.
  static func temporaryFiles(near files: [URL]) -> [URL] {
    var seen: Set<String> = []
    return files.map { $0.deletingLastPathComponent().standardizedFileURL }.filter { seen.insert($0.path).inserted }
      .flatMap(AtomicFile.staleTemporaryFiles(in:))
  }
}
