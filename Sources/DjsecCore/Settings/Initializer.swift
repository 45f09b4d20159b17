import Foundation

/// What `djsec init` does to a Django project, computed first as a plan (so
/// `--dry-run` can show it and nothing is written before every check passed)
/// and then applied file by file, each write atomic.
public struct Initializer: Sendable {
  public enum Profile: String, CaseIterable, Sendable {
    /// Everything `manage.py check --deploy` asks for: DEBUG off, HTTPS only, HSTS.
    case deploy
    /// DEBUG on and plain HTTP on localhost, for `runserver`; still a fresh strong key.
    case dev
  }

  public struct Options: Sendable {
    public var hosts: [String] = []
    public var profile: Profile = .deploy
    /// `--hsts`; nil keeps the store's stage (short for a new store).
    public var hsts: StoreConfig.HSTS?
    /// `--behind-proxy`: the header a TLS-terminating proxy sets, or
    /// `StoreConfig.noProxy` for none; nil keeps the store's.
    public var proxyHeader: String?
    /// `--allow-defaults`: without local_settings.py, settings.py warns and runs on its defaults instead of stopping Django.
    /// `--secrets-from`: nil keeps the store's (file for a new one).
    public var secretsFrom: StoreConfig.SecretsSource?
    public var allowDefaults = false
    public var force = false
    public var settingsOverride: URL?
    public var keyLength = SecretKeyGenerator.minimumLength
    /// Keep the SECRET_KEY in the encrypted store (secrets.djsec) and render
    /// local_settings.py from it; off with `--no-store`.
    public var useStore = false
    /// Label of the key pair `init` creates when the project has none.
    public var keyLabel = "default"
    /// `--key`: the key a new store is sealed to (a label or a .key path).
    public var key: String?
    /// The DJSEC_* variables and the per-user key folder, taken at start-up.
    public var environment = DjsecEnvironment()
    /// The passphrase callback for a protected key file.
    public var passphrase: (@Sendable (KeyFile) throws(StoreError) -> [UInt8])?
    /// Whom the store's signatures are trusted for (the user's records, DJSEC_TRUSTED_KEYS).
    public var trust = TrustSettings(recordFolder: nil)
    /// Told when the store's lock is held by another command for a while.
    public var onLockWait: (@Sendable (String, Int32?) -> Void)?
    /// The environment's store and keys (Workspace); nil: secrets.djsec beside manage.py.
    public var location: StoreLocation?
    /// The environment's name, for the rendered file's first line.
    public var environmentName = EnvironmentName.defaultName
    /// `--template`: recorded in the environment's settings.
    public var templateFile: URL?
    /// `--import`: the string settings of the local_settings.py replaced go
    /// into the store (SettingsImport), and that file is kept as a backup.
    public var importSettings = false
    /// `--web-root`: the public/ folder outside the code the web server serves
    /// (WebLayout); nil keeps the store's.
    public var webRoot: URL?
    /// `--nginx-site`, `--apache-site`: a shipped site template to fill in for
    /// the web root, and the file it goes to.
    public var sites: [(template: SettingsTemplate, file: URL)] = []

    public init() {}

    func askPassphrase(_ key: KeyFile) throws(StoreError) -> [UInt8] {
      guard let passphrase else { throw .key(.noPassphrase(keyFile: key.path)) }
      return try passphrase(key)
    }
  }

  /// One file the plan changes.
  public struct Change: Sendable, Equatable {
    public enum Kind: String, Sendable { case create, update, unchanged }
    public let file: URL
    public let kind: Kind
    public let mode: mode_t
    /// Why, for the report; never holds a secret.
    public let summary: String
    let contents: String?
    var action: Action? = nil

    /// Writes that are more than a file's text.
    enum Action: Sendable, Equatable {
      case createKeyPair(label: String)
      /// Set SECRET_KEY and the render settings in the store, creating it if
      /// needed; `fallbacks` when they change, and the secrets `--import` read.
      case updateStore(key: String, config: StoreConfig, fallbacks: [String]? = nil, imports: [SettingsImport.Entry] = [])
      /// A folder of the web root (static/, media/), made with its parents.
      case createFolder
    }

    init(file: URL, kind: Kind, mode: mode_t, summary: String, contents: String?, action: Action? = nil) {
      self.file = file
      self.kind = kind
      self.mode = mode
      self.summary = summary
      self.contents = contents
      self.action = action
    }
  }

  public struct Plan: Sendable {
    public let project: DjangoProject
    public let changes: [Change]
    /// True when the key already in local_settings.py is kept.
    public let keptKey: Bool
    /// The local_settings.py written.
    public let localSettings: URL
    /// The file copied to your state folder (~/.local/state/djsec) before it is replaced: one djsec
    /// did not write, or any that `--import` read.
    public var backup: URL? = nil
    /// What `--import` takes from the file there (nil: no --import, or no file).
    public var imported: SettingsImport? = nil
    /// The environment whose render local_settings.py holds and that init
    /// left alone (a laptop that makes production's store keeps running development).
    public var leftEnvironment: String? = nil
  }

  public let template: SettingsTemplate

  public init(template: SettingsTemplate) {
    self.template = template
  }

  /// What the planners share: the project, the settings to record, and the
  /// key the files are rendered with, settled once.
  struct Context {
    let project: DjangoProject
    let options: Options
    let location: StoreLocation
    var config: StoreConfig
    var template: SettingsTemplate
    let local: URL
  }

  /// Plans every file in the order it is written: key pair, store,
  /// .gitignore (before local_settings.py, so a crash never leaves the key in
  /// a file git would add), local_settings.py, then the settings.py hook
  /// (never pointing at a file that does not exist yet). One planner per file:
  /// `djsec check` asks the same questions.
  public func plan(root: URL, options: Options) throws(InitError) -> Plan {
    let location =
      options.location ?? StoreLocation(root: root.standardizedFileURL, environment: options.environment, key: options.key)
    // The environment's settings already recorded (its settings file,
    // template and output path), read from the file's plain config lines;
    // the store is opened and verified before anything is written.
    let recorded = Self.recordedConfig(location.store)
    // HSTS and the proxy are kept unless given (a store from before stages
    // existed has no hsts line and renders full).
    var config = StoreConfig(
      hosts: options.hosts, profile: options.profile, hsts: options.hsts ?? recorded?.hsts ?? .short,
      proxyHeader: options.proxyHeader.map { $0 == StoreConfig.noProxy ? nil : $0 } ?? recorded?.proxyHeader,
      settings: recorded?.settings, template: recorded?.template, out: recorded?.out)
    config.secretsFrom = options.secretsFrom ?? recorded?.secretsFrom ?? .file
    if let settings = options.settingsOverride {
      config.settings = relativePath(settings, from: root.standardizedFileURL)
    }
    if let template = options.templateFile { config.template = relativePath(template, from: root.standardizedFileURL) }
    config.webRoot = options.webRoot.map { $0.standardizedFileURL.path } ?? recorded?.webRoot
    try Self.check(config)
    let project: DjangoProject
    let settingsFile = options.settingsOverride ?? config.settings.map { root.standardizedFileURL.appendingPathComponent($0) }
    do { project = try DjangoProject.locate(root: root, settingsOverride: settingsFile) } catch { throw .project(error) }
    for folder in Set([project.root.path, project.settingsFolder.path]) where access(folder, W_OK) != 0 {
      throw .notWritable(path: folder)
    }
    var template = self.template
    if let path = config.template {
      let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : project.root.appendingPathComponent(path)
      do { template = try SettingsTemplate.load(url) } catch { throw .template(error) }
    }
    let local =
      config.out.map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : project.root.appendingPathComponent($0) }
      ?? project.localSettingsFile
    // settings.py imports the file by module name: it must be one, beside the settings module.
    guard local.deletingLastPathComponent() == project.settingsFolder,
      SettingsHook.isValidModuleName(local.deletingPathExtension().lastPathComponent)
    else { throw .badPath(key: StoreConfig.outKey, value: config.out ?? local.path) }
    // --allow-defaults changes the settings file's block, which every
    // environment rendering for that file shares: never one that deploys.
    if options.allowDefaults, let deploying = Self.deployingEnvironment(sharing: project, except: location.store) {
      throw .allowDefaultsShared(settings: relativePath(project.settingsFile, from: project.root), environment: deploying)
    }
    let context = Context(project: project, options: options, location: location, config: config, template: template, local: local)
    try checkFiles(context)

    // The web root's folders come first: nothing else is written when they cannot be made.
    var changes = try planWebRoot(context)
    let (keyChange, sealedTo) = try planKeyPair(context)
    if let keyChange { changes.append(keyChange) }
    let existing = try readText(local)
    // A file someone wrote by hand is replaced only when asked (--force,
    // --import), and then kept as a backup; its key is not djsec's to keep.
    let handWritten = existing.map { LocalSettingsAuthor(of: $0) == .user } ?? false
    if handWritten, !options.force, !options.importSettings {
      throw .handWritten(path: relativePath(local, from: project.root))
    }
    var keys = try existingKeys(context, localText: handWritten || options.importSettings ? nil : existing)
    let imported = try planImport(context, keys: keys)
    let (key, kept) = try chooseKey(context, keys: &keys, imported: imported)
    if options.useStore { changes.append(planStore(context, key: key, keys: keys, sealedTo: sealedTo, imported: imported)) }
    changes.append(try planGitIgnore(context))
    // Another environment's render stays: making production's store on a
    // laptop must not switch the laptop to production's settings and key.
    var leftEnvironment: String?
    if options.useStore, !options.force, let existing, case .rendered(let origin) = LocalSettingsAuthor(of: existing),
      origin.store != location.store.lastPathComponent
    {
      leftEnvironment = origin.environment
    }
    let settings: Change
    if let leftEnvironment {
      settings = Change(
        file: local, kind: .unchanged, mode: 0o600,
        summary:
          "holds environment \(leftEnvironment), left alone; render this one with 'djsec render --env \(options.environmentName)' where it runs",
        contents: nil)
    } else {
      settings = try planLocalSettings(context, key: key, kept: kept, keys: keys, existing: existing, imported: imported)
    }
    changes.append(settings)
    changes.append(try planSettingsHook(context))
    changes += try planSites(context)
    var plan = Plan(project: project, changes: changes, keptKey: kept, localSettings: local)
    plan.imported = imported
    plan.leftEnvironment = leftEnvironment
    if settings.kind == .update, handWritten || imported != nil { plan.backup = local }
    return plan
  }

  /// `--web-root`: its static/ and media/ folders (STATIC_ROOT, MEDIA_ROOT),
  /// refused when the folder is, holds or sits inside the project: a web
  /// server serving it would serve the code (layout.document-root).
  private func planWebRoot(_ c: Context) throws(InitError) -> [Change] {
    guard let path = c.config.webRoot else { return [] }
    let web = URL(fileURLWithPath: path)
    if let reason = WebLayout.overlap(web, project: c.project.root) { throw .webRootOverlapsProject(path: path, reason: reason) }
    let folders = [
      (WebLayout.staticRoot(path), "STATIC_ROOT, outside the code (manage.py collectstatic fills it)"),
      (WebLayout.mediaRoot(path), "MEDIA_ROOT, outside the code (the uploads)"),
    ]
    return folders.map { folder, summary in
      let url = URL(fileURLWithPath: folder)
      let exists = FileManager.default.fileExists(atPath: url.path)
      return Change(
        file: url, kind: exists ? .unchanged : .create, mode: 0o755, summary: summary, contents: nil, action: exists ? nil : .createFolder)
    }
  }

  /// `--nginx-site`, `--apache-site`: the shipped site filled in for the web
  /// root. A file already there with other contents is someone's edit: refused, never replaced.
  private func planSites(_ c: Context) throws(InitError) -> [Change] {
    guard !c.options.sites.isEmpty else { return [] }
    guard let webRoot = c.config.webRoot else { throw .siteWithoutWebRoot }
    let site = WebLayout.Site(config: c.config, webRoot: webRoot, project: c.project.root.lastPathComponent)
    var changes: [Change] = []
    for (template, file) in c.options.sites {
      let text: String
      do { text = try site.render(template) } catch { throw .template(error) }
      let existing = try readText(file)
      if let existing, existing != text { throw .siteExists(path: file.path) }
      changes.append(
        Change(
          file: file, kind: existing == nil ? .create : .unchanged, mode: 0o644,
          summary: "serves \(webRoot) only, the rest proxied to \(site.socket)", contents: existing == nil ? text : nil))
    }
    return changes
  }

  /// `--import`: what the file there holds that can go into the store.
  private func planImport(_ c: Context, keys: ExistingKeys) throws(InitError) -> SettingsImport? {
    guard c.options.importSettings, let data = FileManager.default.contents(atPath: c.local.path) else { return nil }
    let path = relativePath(c.local, from: c.project.root)
    // Values read from bytes that are not UTF-8 would be stored wrong.
    guard let source = String(data: data, encoding: .utf8) else { throw .cannotImport(path: path, reason: "it is not UTF-8 text") }
    var stored = keys.values
    stored[SecretKeyEntries.key] = keys.store
    guard let imported = SettingsImport(source: source, template: c.template, stored: stored) else {
      throw .cannotImport(path: path, reason: "djsec cannot read it as Python (a string or bracket is never closed)")
    }
    return imported
  }

  /// The SECRET_KEY the files get: the one `--import` read (the store's
  /// earlier one then leads the fallbacks: it may be deployed elsewhere),
  /// else the store's or the file's unless --force, else a new one.
  private func chooseKey(_ c: Context, keys: inout ExistingKeys, imported: SettingsImport?) throws(InitError) -> (String, Bool) {
    if let key = imported?.key?.value {
      var fallbacks = keys.fallbacks.filter { $0 != key }
      if let old = keys.store, old != key, !fallbacks.contains(old) { fallbacks.insert(old, at: 0) }
      if fallbacks != keys.fallbacks { keys.newFallbacks = fallbacks }
      return (key, true)
    }
    if let old = c.options.force ? nil : (keys.store ?? keys.local) { return (old, true) }
    do { return (try SecretKeyGenerator.generate(length: c.options.keyLength), false) } catch { throw .key(error) }
  }

  /// The store file (other than `store`) of an environment with the deploy
  /// profile that renders for `project`'s settings file, if any. Read from the
  /// files' plain config lines: a forged line can only make init refuse.
  static func deployingEnvironment(sharing project: DjangoProject, except store: URL) -> String? {
    let folder = store.deletingLastPathComponent()
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    for name in names.sorted() where name.hasPrefix("secrets") && name.hasSuffix(".djsec") && name != store.lastPathComponent {
      guard let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
        let file = try? StoreFile.parse(bytes: Array(bytes), file: name),
        (file.config[StoreConfig.profileKey] ?? Profile.deploy.rawValue) == Profile.deploy.rawValue
      else { continue }
      let settings = file.config[StoreConfig.settingsKey].map { project.root.appendingPathComponent($0).standardizedFileURL }
      let theirs = settings ?? (try? DjangoProject.locate(root: project.root).settingsFile)
      if theirs?.standardizedFileURL.path == project.settingsFile.standardizedFileURL.path { return name }
    }
    return nil
  }

  /// The checks `render` applies to the store's config lines, as init's errors.
  static func check(_ config: StoreConfig) throws(InitError) {
    switch config.problem {
    case .invalidHost(let host): throw .invalidHost(host)
    case .wildcardHost: throw .wildcardHost
    case .noHosts: throw .hostsRequired
    case .badPath(let key, let value): throw .badPath(key: key, value: value)
    case .invalidProxyHeader(let header): throw .invalidProxyHeader(header)
    case nil: break
    }
  }

  /// A store's config lines as text, without opening it (nil: no store, or
  /// none djsec can parse; opening it later reports why).
  static func recordedConfig(_ store: URL) -> StoreConfig? {
    guard let bytes = FileManager.default.contents(atPath: store.path),
      let file = try? StoreFile.parse(bytes: Array(bytes), file: store.lastPathComponent)
    else { return nil }
    var recorded = StoreConfig(
      hosts: [], hsts: file.config[StoreConfig.hstsKey].flatMap(StoreConfig.HSTS.init(rawValue:)) ?? .full,
      proxyHeader: file.config[StoreConfig.proxyHeaderKey], settings: file.config[StoreConfig.settingsKey],
      template: file.config[StoreConfig.templateKey], out: file.config[StoreConfig.outKey])
    recorded.secretsFrom = file.config[StoreConfig.secretsFromKey].flatMap(StoreConfig.SecretsSource.init(rawValue:)) ?? .file
    recorded.webRoot = file.config[StoreConfig.webRootKey]
    return recorded
  }

  /// The key and settings already there: in the store (opened and verified)
  /// and in local_settings.py (which must be djsec's, with a strong key,
  /// unless --force).
  struct ExistingKeys {
    var store: String?
    var local: String?
    var fallbacks: [String] = []
    /// The fallbacks once the key `--import` read leads (nil: unchanged).
    var newFallbacks: [String]?
    /// The store's other secrets, by name.
    var values: [String: String] = [:]
    var storeConfig: StoreConfig?
    var storeExists = false
  }

  private func existingKeys(_ c: Context, localText: String?) throws(InitError) -> ExistingKeys {
    var keys = ExistingKeys()
    // A file rendered for another environment is djsec's own but not this
    // environment's key: production must never inherit development's.
    let otherEnvironment = Renderer.Origin(firstLineOf: localText ?? "").map { $0.store != c.location.store.lastPathComponent } ?? false
    if let localText, !c.options.force, !(c.options.useStore && otherEnvironment) {
      guard let old = PythonLiteral.assignedString(named: "SECRET_KEY", in: localText), KeyPolicy.weaknesses(of: old).isEmpty else {
        throw .wouldOverwrite(path: relativePath(c.local, from: c.project.root))
      }
      keys.local = old
    }
    guard c.options.useStore, FileManager.default.fileExists(atPath: c.location.store.path) else { return keys }
    keys.storeExists = true
    let store: SecretStore
    do throws(StoreError) {
      store = try SecretStore.open(
        c.location.store, keyRing: c.location.keyRing, passphrase: c.options.askPassphrase, trust: c.options.trust, access: .write)
      if store.contains(SecretKeyEntries.key) { keys.store = try store.string(SecretKeyEntries.key) }
      keys.fallbacks = try SecretKeyEntries.fallbackKeys(in: store)
    } catch { throw .store(error) }
    // A config line init would refuse (or none) is rewritten from the flags.
    keys.storeConfig = try? StoreConfig(lines: store.file.config, store: store.displayName)
    do throws(StoreError) {
      for name in store.names where !SecretKeyEntries.names.contains(name) { keys.values[name] = try store.string(name) }
    } catch { throw .render(.store(error)) }
    return keys
  }

  /// keys/LABEL.key when no key can seal a new store: the environment's own
  /// label for a named environment, so development's key never opens production.
  private func planKeyPair(_ c: Context) throws(InitError) -> (Change?, String) {
    let label = c.location.newStoreLabel ?? c.options.keyLabel
    var sealedTo = "\(label) (keys/\(label).key)"
    guard c.options.useStore else { return (nil, sealedTo) }
    let candidates: [KeyRing.Candidate]
    do { candidates = try c.location.keyRing.candidates() } catch { throw .store(error) }
    let storeExists = FileManager.default.fileExists(atPath: c.location.store.path)
    let needsOwn = c.location.newStoreLabel != nil && c.options.key == nil && !storeExists
    if candidates.isEmpty || (needsOwn && !candidates.contains { $0.label == label }) {
      // The key pair is written first: a keys folder it may not go in stops init before anything is.
      do { try KeyStoreFiles.checkFolder(c.location.keys, label: label) } catch { throw .store(.key(error)) }
      return (
        Change(
          file: c.location.keys.appendingPathComponent("\(label).key"), kind: .create, mode: 0o600,
          summary: "new X25519 key pair (keys/\(label).pub is the public half)", contents: nil, action: .createKeyPair(label: label)),
        sealedTo
      )
    }
    if !storeExists {
      do { sealedTo = try c.location.keyRing.keyForNewStore(preferring: c.location.newStoreLabel).summary(from: c.project.root) } catch {
        throw .store(error)
      }
    }
    return (nil, sealedTo)
  }

  /// The store: SECRET_KEY and the environment's settings, created or
  /// updated, and what `--import` read.
  private func planStore(_ c: Context, key: String, keys: ExistingKeys, sealedTo: String, imported: SettingsImport?) -> Change {
    let name = c.location.store.lastPathComponent
    let action = Change.Action.updateStore(
      key: key, config: c.config, fallbacks: keys.newFallbacks, imports: imported?.secrets ?? [])
    guard keys.storeExists else {
      return Change(
        file: c.location.store, kind: .create, mode: 0o644,
        summary: "holds the SECRET_KEY, encrypted (safe to commit), sealed to \(sealedTo)", contents: nil, action: action)
    }
    let same =
      keys.store == key && !c.options.force && keys.storeConfig == c.config && keys.newFallbacks == nil
      && (imported?.secrets ?? []).isEmpty
    return Change(
      file: c.location.store, kind: same ? .unchanged : .update, mode: 0o644,
      summary: same ? "SECRET_KEY kept" : "holds the SECRET_KEY and \(name)'s settings, encrypted (safe to commit)", contents: nil,
      action: same ? nil : action)
  }

  /// .gitignore: local_settings.py, keys/ and djsec's temporary files.
  private func planGitIgnore(_ c: Context) throws(InitError) -> Change {
    let gitignore = c.project.root.appendingPathComponent(".gitignore")
    let current = try readText(gitignore)
    let patterns = GitIgnoreGuard.patterns(localSettings: relativePath(c.local, from: c.project.root))
    guard let updated = GitIgnoreGuard.update(current, adding: patterns) else {
      return Change(file: gitignore, kind: .unchanged, mode: 0o644, summary: "already ignores local_settings.py", contents: nil)
    }
    return Change(
      file: gitignore, kind: current == nil ? .create : .update, mode: AtomicFile.mode(of: gitignore) ?? 0o644,
      summary: "ignores \(c.local.lastPathComponent) and keys/", contents: updated)
  }

  /// local_settings.py rendered from the template, the key and the store's
  /// other secrets (with those `--import` adds).
  private func planLocalSettings(
    _ c: Context, key: String, kept: Bool, keys: ExistingKeys, existing: String?, imported: SettingsImport?
  ) throws(InitError) -> Change {
    var values = keys.values
    for entry in imported?.secrets ?? [] { values[entry.name] = entry.value }
    let secrets: Renderer.Secrets
    do {
      secrets = try Renderer.secrets(
        values, template: c.template, store: c.location.store.lastPathComponent, fromEnvironment: c.config.secretsFrom == .env)
    } catch {
      throw .render(error)
    }
    let body: String
    do {
      body = try Renderer.text(
        template: c.template, key: key, fallbacks: keys.newFallbacks ?? keys.fallbacks, secrets: secrets, config: c.config)
    } catch { throw .template(error) }
    let origin =
      c.options.useStore ? Renderer.Origin(store: c.location.store.lastPathComponent, environment: c.options.environmentName) : nil
    let text = (origin.map { $0.line + "\n" } ?? "") + body
    let summary = imported?.key != nil ? "SECRET_KEY imported from the old file" : kept ? "SECRET_KEY kept" : "new SECRET_KEY"
    if existing == text { return Change(file: c.local, kind: .unchanged, mode: 0o600, summary: summary, contents: nil) }
    return Change(
      file: c.local, kind: existing == nil ? .create : .update, mode: 0o600,
      summary: "\(c.options.profile.rawValue) profile, \(Self.deploySummary(c.config))\(summary)", contents: text)
  }

  /// The block at the end of settings.py that imports local_settings.py,
  /// with startproject's published key taken out, so that without the block
  /// Django has no key at all.
  private func planSettingsHook(_ c: Context) throws(InitError) -> Change {
    let settings = c.project.settingsFile
    let text = try readText(settings) ?? ""
    let mode = AtomicFile.mode(of: settings) ?? 0o644
    let keyLine = StartprojectKey.remove(from: text)
    let hook = SettingsHook.install(
      into: keyLine.text ?? text, localModule: c.local.deletingPathExtension().lastPathComponent,
      onMissing: c.options.allowDefaults ? .useDefaults : .fail)
    let module = c.local.deletingPathExtension().lastPathComponent
    // Said, never silent: a block that ran on the defaults now fails closed.
    let closes =
      !c.options.allowDefaults && text.contains(SettingsHook.block(localModule: module, onMissing: .useDefaults))
      ? "; the block that ran on the defaults (--allow-defaults) now stops Django instead" : ""
    let loads =
      "imports \(c.local.lastPathComponent) last"
      + (c.options.allowDefaults ? " (runs on the defaults without it)" : " (Django stops without it)") + Self.keySummary(keyLine)
      + closes + Self.publishedKeysBeside(settings, root: c.project.root)
    guard let hooked = hook ?? keyLine.text else {
      return Change(file: settings, kind: .unchanged, mode: mode, summary: "already " + loads, contents: nil)
    }
    return Change(file: settings, kind: .update, mode: mode, summary: loads, contents: hooked)
  }

  /// Split settings keep startproject's key in a sibling (`base.py`) that
  /// init does not edit: said, so the published key does not stay unnoticed.
  static func publishedKeysBeside(_ settings: URL, root: URL) -> String {
    let folder = settings.deletingLastPathComponent()
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    let holding = names.sorted().filter { name in
      guard name.hasSuffix(".py"), name != settings.lastPathComponent, !name.hasPrefix("local_settings") else { return false }
      let file = folder.appendingPathComponent(name)
      return (try? AtomicFile.readText(file)).flatMap { $0 }.map { StartprojectKey.remove(from: $0).text != nil } ?? false
    }
    guard !holding.isEmpty else { return "" }
    let files = holding.map { relativePath(folder.appendingPathComponent($0), from: root) }.joined(separator: ", ")
    return "; \(files) still hold\(holding.count == 1 ? "s" : "") startproject's django-insecure- SECRET_KEY: delete that line"
  }

  /// HSTS and the proxy, for the report on local_settings.py (deploy profile only).
  static func deploySummary(_ config: StoreConfig) -> String {
    guard config.profile == .deploy else { return "" }
    return "HSTS \(config.hsts.rawValue), " + (config.proxyHeader.map { "behind a proxy (\($0)), " } ?? "")
  }

  /// What became of settings.py's SECRET_KEY, for the report on settings.py.
  static func keySummary(_ removal: StartprojectKey.Removal) -> String {
    if removal.text != nil { return "; startproject's django-insecure- SECRET_KEY removed" }
    guard !removal.kept.isEmpty else { return "" }
    let lines = removal.kept.map(String.init).joined(separator: ", ")
    return "; SECRET_KEY on line\(removal.kept.count == 1 ? "" : "s") \(lines) left as it is "
      + "(djsec removes only startproject's django-insecure- key)"
  }

  /// The project files init reads and replaces are no symbolic links, and
  /// the one that receives the key (local_settings.py) will be ignored by
  /// git once init's rule is in .gitignore (see SecretFileGuard).
  private func checkFiles(_ c: Context) throws(InitError) {
    let project = c.project
    let local = c.local
    let gitignore = project.root.appendingPathComponent(".gitignore")
    do {
      for file in [gitignore, project.settingsFile] { try SecretFileGuard.checkNotLink(file, root: project.root) }
    } catch { throw .secretFile(error) }
    let rule = GitIgnoreGuard.localSettingsPattern(relativePath(local, from: project.root))
    let addsRule = !GitIgnoreGuard.missing([rule], in: try readText(gitignore)).isEmpty
    do { try SecretFileGuard.checkSecretTarget(local, root: project.root, ruleAddedTo: addsRule ? gitignore : nil) } catch {
      throw .secretFile(error)
    }
  }

  /// Writes every changed file in the plan's order (.gitignore before
  /// local_settings.py, so the file is ignored before it holds the key;
  /// local_settings.py before settings.py, whose hook must never point at a
  /// file that does not exist yet), after keeping the copy of the file
  /// replaced (if that fails, nothing is written). Returns where the copy went.
  @discardableResult
  public func apply(_ plan: Plan, options: Options = Options()) throws(InitError) -> URL? {
    var copy: URL?
    if let file = plan.backup {
      do {
        copy = try LocalState(root: plan.project.root, userState: options.environment.userState).backUp(file, root: plan.project.root)
      } catch { throw .backup(error) }
    }
    var options = options
    for change in plan.changes {
      if change.action == .createFolder {
        try Self.makeFolder(change.file)
        continue
      }
      if let action = change.action {
        // A new store is sealed to the key made just before it.
        if case .createKeyPair = action { options.key = change.file.path }
        try perform(action, project: plan.project, options: options)
        continue
      }
      guard let contents = change.contents else {
        // An unchanged secret file loses what others may do (AtomicFile.keptMode).
        if change.mode == 0o600, let mode = AtomicFile.mode(of: change.file), AtomicFile.keptMode(mode, requested: 0o600) != mode {
          chmod(change.file.path, AtomicFile.keptMode(mode, requested: 0o600))
        }
        continue
      }
      do { try AtomicFile.write(contents, to: change.file, mode: change.mode) } catch { throw .file(error) }
    }
    return copy
  }

  /// A web root folder and its missing parents, readable by the web server (0755).
  static func makeFolder(_ folder: URL) throws(InitError) {
    var made = URL(fileURLWithPath: "/")
    for part in folder.standardizedFileURL.pathComponents.dropFirst() {
      made.appendPathComponent(part)
      if mkdir(made.path, 0o755) != 0, errno != EEXIST { throw .file(.cannotWrite(path: made.path, errno: errno)) }
    }
  }

  /// Key material first, then the store that depends on it, then the files
  /// rendered from it (the plan lists them in that order).
  private func perform(_ action: Change.Action, project: DjangoProject, options: Options) throws(InitError) {
    var location = options.location ?? StoreLocation(root: project.root, environment: options.environment, key: options.key)
    if let key = options.key { location.keySelection = key }
    do throws(StoreError) {
      switch action {
      case .createFolder:
        // Made by apply, which knows the folder (makeFolder).
        break
      case .createKeyPair(let label):
        do { _ = try KeyStoreFiles.create(in: location.keys, label: label, passphrase: nil) } catch { throw StoreError.key(error) }
      case .updateStore(let key, let config, let fallbacks, let imports):
        try SecretStore.modify(
          location.store, keyRing: location.keyRing, passphrase: options.askPassphrase, trust: options.trust,
          create: { () throws(StoreError) in try location.newStore(passphrase: options.askPassphrase, trust: options.trust).store },
          onWait: options.onLockWait
        ) { store throws(StoreError) in
          try store.set(SecretKeyEntries.key, Array(key.utf8))
          if let fallbacks, !fallbacks.isEmpty {
            try store.set(SecretKeyEntries.fallbacks, Array(fallbacks.joined(separator: "\n").utf8))
          } else if fallbacks != nil, store.contains(SecretKeyEntries.fallbacks) {
            try store.remove(SecretKeyEntries.fallbacks)
          }
          // A value someone stored since the plan was made is theirs: never replaced.
          for entry in imports where !store.contains(entry.name) { try store.set(entry.name, Array(entry.value.utf8)) }
          config.write(to: store)
        }
      }
    } catch { throw .store(error) }
  }

  private func readText(_ url: URL) throws(InitError) -> String? {
    do { return try AtomicFile.readText(url) } catch { throw .file(error) }
  }
}

public enum InitError: Error, Equatable, Sendable {
  case invalidHost(String)
  case wildcardHost
  case hostsRequired
  case badPath(key: String, value: String)
  case invalidProxyHeader(String)
  /// --allow-defaults on a settings file an environment that deploys renders for too.
  case allowDefaultsShared(settings: String, environment: String)
  case project(ProjectError)
  case notWritable(path: String)
  case secretFile(SecretFileError)
  case wouldOverwrite(path: String)
  /// local_settings.py was not written by djsec, and neither --force nor --import was given.
  case handWritten(path: String)
  /// `--import` cannot read the file.
  case cannotImport(path: String, reason: String)
  case backup(BackupError)
  case key(KeyError)
  case template(TemplateError)
  case file(FileError)
  case store(StoreError)
  case render(RenderError)
  /// `--web-root` is the project folder, inside it or around it.
  case webRootOverlapsProject(path: String, reason: String)
  /// `--nginx-site`/`--apache-site` without a web root to serve.
  case siteWithoutWebRoot
  /// The site file exists with other contents.
  case siteExists(path: String)
}

extension InitError: DjsecError {
  public var message: String {
    switch self {
    case .invalidHost(let h): "--host \(h) is not a valid host name"
    case .wildcardHost: "--host * lets any Host header through, which the deploy profile refuses"
    case .hostsRequired: "the deploy profile needs the host names the site answers to"
    case .badPath(let key, let value):
      "--\(key.replacingOccurrences(of: "_", with: "-")) \(value) is not a path djsec renders with (no '..', blanks or control characters)"
    case .invalidProxyHeader(let h): "--behind-proxy: \(h) is not an HTTP header name"
    case .allowDefaultsShared(let settings, let env):
      "refusing --allow-defaults: \(env) deploys from \(settings) too, and would then start without its local settings"
    case .project(let e): e.message
    case .notWritable(let p): "cannot write to \(p): permission denied"
    case .secretFile(let e): e.message
    case .wouldOverwrite(let p): "refusing to overwrite \(p): its SECRET_KEY is missing or weak"
    case .handWritten(let p): "refusing to replace \(p): djsec did not write it (its first line is not djsec's)"
    case .cannotImport(let p, let reason): "cannot import \(p): \(reason)"
    case .backup(let e): e.message
    case .key(let e): e.message
    case .template(let e): e.message
    case .file(let e): e.message
    case .store(let e): e.message
    case .render(let e): e.message
    case .webRootOverlapsProject(let p, let reason): "refusing --web-root \(p): \(reason), so the web server would serve the code"
    case .siteWithoutWebRoot: "a site needs the folder it serves: no --web-root given, and the store records none"
    case .siteExists(let p): "refusing to overwrite \(p): it differs from the site djsec would write"
    }
  }

  public var hint: String? {
    switch self {
    case .invalidHost: "pass a host name such as example.com, .example.com, an IP address or [::1]"
    case .wildcardHost:
      "name the hosts the site answers to (--host example.com, --host .example.com for its subdomains), or use --profile dev"
    case .hostsRequired: "pass --host example.com (repeatable), or --profile dev for local development"
    case .badPath: "name a file inside the project, without '..'"
    case .allowDefaultsShared:
      "give development its own settings module (--settings mysite/settings/local.py) and opt in there, or leave --allow-defaults out"
    case .invalidProxyHeader:
      "name the header your proxy sets to https, in letters, digits and hyphens (--behind-proxy X-Forwarded-Proto), or none"
    case .project(let e): e.hint
    case .notWritable: "run djsec as a user who may write to that folder"
    case .secretFile(let e): e.hint
    case .wouldOverwrite: "pass --force to replace it with a new key"
    case .handWritten:
      "pass --import to move its string settings (SECRET_KEY, passwords) into the store, or --force to replace it; "
        + "either way djsec first keeps a copy in your state folder (~/.local/state/djsec)"
    case .cannotImport:
      "fix the file, or pass --force without --import: djsec keeps a copy of it in your state folder (~/.local/state/djsec)"
    case .backup(let e): e.hint
    case .key(let e): e.hint
    case .template(let e): e.hint
    case .file(let e): e.hint
    case .store(let e): e.hint
    case .render(let e): e.hint
    case .webRootOverlapsProject:
      "name a folder beside the project instead, such as /srv/PROJECT/public for a project in /srv/PROJECT/app"
    case .siteWithoutWebRoot: "add --web-root DIR (a folder outside the project, such as /srv/PROJECT/public)"
    case .siteExists: "remove it or name another file; djsec never replaces a site someone may have edited"
    }
  }
}
