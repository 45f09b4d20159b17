import Foundation

/// One render of an environment's local_settings.py, settled before any value
/// is decrypted: which settings file it is for, which template it uses and
/// where it goes. Each comes from, in order: the flag (`render --settings`,
/// `--template`, `--out`), what this checkout last rendered the environment
/// with (LocalState, outside git), the environment's own settings in its
/// store (StoreConfig, recorded by `init`, shared with every machine), and
/// the default. So `rotate` renders exactly as the last `render` did instead
/// of falling back to the shipped template and dropping what the user's
/// template added, and a one-off `--out` never dirties the committed store.
public struct RenderJob: Sendable {
  /// The environment's settings, from its store.
  public let config: StoreConfig
  /// The file written (git-ignored, mode 0600).
  public let out: URL
  public let template: SettingsTemplate
  /// What this checkout remembers for the next render (flags and earlier memory).
  public let remember: RenderPaths
  /// What the rendered file's first line says it came from.
  public let origin: Renderer.Origin

  /// `--template` and `--out` as given (relative to `base`, the folder djsec
  /// runs in); `--settings` is the workspace's.
  public struct Flags: Sendable {
    public var template: String?
    public var out: String?
    public var base: URL

    public init(template: String? = nil, out: String? = nil, base: URL) {
      self.template = template
      self.out = out
      self.base = base
    }
  }

  /// Settles a render of `store` for `workspace`. `shipped` loads the
  /// template djsec ships, used when nothing names another.
  public static func plan(
    _ workspace: Workspace, store: SecretStore, flags: Flags, shipped: () throws(TemplateError) -> SettingsTemplate
  ) throws(RenderError) -> RenderJob {
    let config: StoreConfig
    do { config = try StoreConfig(lines: store.file.config, store: store.displayName) } catch { throw .config(error) }
    let memory = workspace.localState.renderPaths(for: workspace.environment) ?? RenderPaths()
    let absolute = { (path: String?) in path.map { URL(fileURLWithPath: $0, relativeTo: flags.base).standardizedFileURL.path } }
    let remember = RenderPaths(
      settings: workspace.settingsOverride?.path ?? memory.settings, template: absolute(flags.template) ?? memory.template,
      // A new --settings without --out renders beside that settings file, not where the old one went.
      out: absolute(flags.out) ?? (workspace.settingsOverride == nil ? memory.out : nil))

    let out: URL
    if let path = remember.out ?? config.out.map({ workspace.resolve($0).path }) {
      out = URL(fileURLWithPath: path)
    } else {
      let settings = remember.settings.map { URL(fileURLWithPath: $0) } ?? config.settings.map { workspace.resolve($0) }
      do { out = try DjangoProject.locate(root: workspace.root, settingsOverride: settings).localSettingsFile } catch {
        throw .project(error, store: store.displayName)
      }
    }
    let templatePath = remember.template ?? config.template.map { workspace.resolve($0).path }
    // Remembered (or the environment's), not named now: say where it came from and how to choose again.
    if let templatePath, flags.template == nil, !FileManager.default.fileExists(atPath: templatePath) {
      throw .templateGone(
        path: relativePath(URL(fileURLWithPath: templatePath), from: flags.base), remembered: remember.template != nil,
        fix: "djsec render\(workspace.envFlag) --template PATH")
    }
    let template: SettingsTemplate
    do throws(TemplateError) {
      if let templatePath { template = try SettingsTemplate.load(URL(fileURLWithPath: templatePath)) } else { template = try shipped() }
    } catch { throw .template(error) }
    return RenderJob(
      config: config, out: out, template: template, remember: remember,
      origin: .init(store: workspace.store.lastPathComponent, environment: workspace.environment.rawValue))
  }

  /// The file's text, from `store`'s values and this job's settings.
  public func text(_ store: SecretStore) throws(RenderError) -> String {
    try Renderer.render(store, config: config, template: template, origin: origin)
  }
}
