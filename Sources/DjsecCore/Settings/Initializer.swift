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
      /// Set SECRET_KEY and the render settings in the store, creating it if needed.
      case updateStore(key: String, config: StoreConfig)
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
  }

  public let template: SettingsTemplate

  public init(template: SettingsTemplate) {
    self.template = template
  }

  public func plan(root: URL, options: Options) throws(InitError) -> Plan {
    // The same check `render` applies to the store's config lines.
    let config = StoreConfig(hosts: options.hosts, profile: options.profile)
    switch config.problem {
    case .invalidHost(let host): throw .invalidHost(host)
    case .wildcardHost: throw .wildcardHost
    case .noHosts: throw .hostsRequired
    case nil: break
    }
    let project: DjangoProject
    do { project = try DjangoProject.locate(root: root, settingsOverride: options.settingsOverride) } catch {
      throw .project(error)
    }
    let local = project.localSettingsFile
    for folder in Set([project.root.path, project.settingsFolder.path]) where access(folder, W_OK) != 0 {
      throw .notWritable(path: folder)
    }
    try checkFiles(project)

    // Key: keep the one djsec wrote before (in the store, else in
    // local_settings.py) unless --force.
    let existing = try readText(local)
    var localKey: String?
    if let existing, !options.force {
      guard let old = PythonLiteral.assignedString(named: "SECRET_KEY", in: existing), KeyPolicy.weaknesses(of: old).isEmpty
      else {
        throw .wouldOverwrite(path: relativePath(local, from: project.root))
      }
      localKey = old
    }
    var changes: [Change] = []
    var fallbacks: [String] = []
    var others = ""
    var storeKey: String?
    var storeChange: (kind: Change.Kind, file: URL)?
    var storeSummary = "holds the SECRET_KEY, encrypted (safe to commit)"
    if options.useStore {
      let location = StoreLocation(root: project.root, environment: options.environment, key: options.key)
      let haveKey: Bool
      do { haveKey = try !location.keyRing.candidates().isEmpty } catch { throw .store(error) }
      var sealedTo = "\(options.keyLabel) (keys/\(options.keyLabel).key)"
      if !haveKey {
        // The key pair is written first: a keys folder it may not go in stops init before anything is.
        do { try KeyStoreFiles.checkFolder(location.keys, label: options.keyLabel) } catch { throw .store(.key(error)) }
        changes.append(
          Change(
            file: location.keys.appendingPathComponent("\(options.keyLabel).key"), kind: .create, mode: 0o600,
            summary: "new X25519 key pair (keys/\(options.keyLabel).pub is the public half)", contents: nil,
            action: .createKeyPair(label: options.keyLabel)))
      }
      if FileManager.default.fileExists(atPath: location.store.path) {
        let store: SecretStore
        do {
          store = try SecretStore.open(
            location.store, keyRing: location.keyRing, passphrase: options.askPassphrase, trust: options.trust, access: .write)
          if store.contains(SecretKeyEntries.key) { storeKey = try store.string(SecretKeyEntries.key) }
          fallbacks = try SecretKeyEntries.fallbackKeys(in: store)
        } catch { throw .store(error) }
        do { others = try Renderer.secretsSource(store, template: template) } catch { throw .render(error) }
        // A config line init would refuse (or none) is rewritten from the flags.
        let stored = try? StoreConfig(lines: store.file.config, store: store.displayName)
        let same = storeKey != nil && !options.force && stored == config
        storeChange = (same ? .unchanged : .update, location.store)
      } else {
        storeChange = (.create, location.store)
        if haveKey {
          do { sealedTo = try location.keyRing.keyForNewStore().summary(from: project.root) } catch { throw .store(error) }
        }
        storeSummary += ", sealed to \(sealedTo)"
      }
    }
    var keptKey = false
    let key: String
    if let old = options.force ? nil : (storeKey ?? localKey) {
      key = old
      keptKey = true
    } else {
      do { key = try SecretKeyGenerator.generate(length: options.keyLength) } catch { throw .key(error) }
    }
    if let storeChange {
      changes.append(
        Change(
          file: storeChange.file, kind: storeChange.kind, mode: 0o644,
          summary: storeChange.kind == .unchanged ? "SECRET_KEY kept" : storeSummary, contents: nil,
          action: storeChange.kind == .unchanged ? nil : .updateStore(key: key, config: config)))
    }

    // .gitignore before local_settings.py: a killed init never leaves the key in a file git would commit.
    let gitignore = project.root.appendingPathComponent(".gitignore")
    let current = try readText(gitignore)
    let patterns = GitIgnoreGuard.patterns(localSettings: relativePath(local, from: project.root))
    if let updated = GitIgnoreGuard.update(current, adding: patterns) {
      changes.append(
        Change(
          file: gitignore, kind: current == nil ? .create : .update, mode: AtomicFile.mode(of: gitignore) ?? 0o644,
          summary: "ignores local_settings.py and keys/", contents: updated))
    } else {
      changes.append(
        Change(file: gitignore, kind: .unchanged, mode: 0o644, summary: "already ignores local_settings.py", contents: nil))
    }

    let localText: String
    do { localText = try Renderer.text(template: template, key: key, fallbacks: fallbacks, secrets: others, config: config) } catch {
      throw .template(error)
    }
    let localSummary = keptKey ? "SECRET_KEY kept" : "new SECRET_KEY"
    if existing == localText {
      changes.append(Change(file: local, kind: .unchanged, mode: 0o600, summary: localSummary, contents: nil))
    } else {
      changes.append(
        Change(
          file: local, kind: existing == nil ? .create : .update, mode: 0o600,
          summary: "\(options.profile.rawValue) profile, \(localSummary)", contents: localText))
    }

    let settingsText = try readText(project.settingsFile) ?? ""
    let settingsMode = AtomicFile.mode(of: project.settingsFile) ?? 0o644
    if let hooked = SettingsHook.install(into: settingsText) {
      changes.append(
        Change(
          file: project.settingsFile, kind: .update, mode: settingsMode,
          summary: "imports local_settings.py last", contents: hooked))
    } else {
      changes.append(
        Change(
          file: project.settingsFile, kind: .unchanged, mode: settingsMode, summary: "already imports local_settings.py", contents: nil))
    }

    return Plan(project: project, changes: changes, keptKey: keptKey)
  }

  /// The project files init reads and replaces are no symbolic links, and
  /// the one that receives the key (local_settings.py) will be ignored by
  /// git once init's rule is in .gitignore (see SecretFileGuard).
  private func checkFiles(_ project: DjangoProject) throws(InitError) {
    let local = project.localSettingsFile
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

  /// Writes every changed file in the plan's order: .gitignore before
  /// local_settings.py (the file is ignored before it holds the key), and
  /// local_settings.py before settings.py (the hook must never point at a
  /// file that does not exist yet).
  public func apply(_ plan: Plan, options: Options = Options()) throws(InitError) {
    var options = options
    for change in plan.changes {
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
  }

  /// Key material first, then the store that depends on it, then the files
  /// rendered from it (the plan lists them in that order).
  private func perform(_ action: Change.Action, project: DjangoProject, options: Options) throws(InitError) {
    let location = StoreLocation(root: project.root, environment: options.environment, key: options.key)
    do throws(StoreError) {
      switch action {
      case .createKeyPair(let label):
        do { _ = try KeyStoreFiles.create(in: location.keys, label: label, passphrase: nil) } catch { throw StoreError.key(error) }
      case .updateStore(let key, let config):
        try SecretStore.modify(
          location.store, keyRing: location.keyRing, passphrase: options.askPassphrase, trust: options.trust,
          create: { () throws(StoreError) in try location.newStore(passphrase: options.askPassphrase, trust: options.trust).store },
          onWait: options.onLockWait
        ) { store throws(StoreError) in
          try store.set(SecretKeyEntries.key, Array(key.utf8))
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
  case project(ProjectError)
  case notWritable(path: String)
  case secretFile(SecretFileError)
  case wouldOverwrite(path: String)
  case key(KeyError)
  case template(TemplateError)
  case file(FileError)
  case store(StoreError)
  case render(RenderError)
}

extension InitError: DjsecError {
  public var message: String {
    switch self {
    case .invalidHost(let h): "--host \(h) is not a valid host name"
    case .wildcardHost: "--host * lets any Host header through, which the deploy profile refuses"
    case .hostsRequired: "the deploy profile needs the host names the site answers to"
    case .project(let e): e.message
    case .notWritable(let p): "cannot write to \(p): permission denied"
    case .secretFile(let e): e.message
    case .wouldOverwrite(let p): "refusing to overwrite \(p): it was not written by djsec or holds a weak SECRET_KEY"
    case .key(let e): e.message
    case .template(let e): e.message
    case .file(let e): e.message
    case .store(let e): e.message
    case .render(let e): e.message
    }
  }

  public var hint: String? {
    switch self {
    case .invalidHost: "pass a host name such as example.com, .example.com, an IP address or [::1]"
    case .wildcardHost:
      "name the hosts the site answers to (--host example.com, --host .example.com for its subdomains), or use --profile dev"
    case .hostsRequired: "pass --host example.com (repeatable), or --profile dev for local development"
    case .project(let e): e.hint
    case .notWritable: "run djsec as a user who may write to that folder"
    case .secretFile(let e): e.hint
    case .wouldOverwrite: "pass --force to replace it with a new key"
    case .key(let e): e.hint
    case .template(let e): e.hint
    case .file(let e): e.hint
    case .store(let e): e.hint
    case .render(let e): e.hint
    }
  }
}
