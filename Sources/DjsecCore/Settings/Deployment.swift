import Foundation

/// A change to an environment's store and the local_settings.py rendered
/// from it, made as one step: the store's lock is held across both files,
/// the file is rendered from exactly what was just written, and nothing is
/// saved when the render would fail. Rotation goes through here, so a key
/// that is deployed is never dropped: if local_settings.py holds a key that
/// is neither the store's current key nor one of its fallbacks (a rotation
/// killed between the two writes, another machine's render), it joins the
/// fallbacks instead of logging every user out.
public struct Deployment {
  public let workspace: Workspace
  public let trust: TrustSettings
  public let passphrase: (KeyFile) throws(StoreError) -> [UInt8]
  public let onWait: StoreLock.Waiting?
  /// Told about the store once it opened (the CLI's warnings about an older store).
  public var onOpen: ((SecretStore) -> Void)?
  /// `render --force`: replace a local_settings.py djsec did not write, after
  /// keeping a copy (LocalState.backUp). Never one git tracks, and never by
  /// `rotate`, which leaves such a file alone.
  public var force = false

  public init(
    _ workspace: Workspace, trust: TrustSettings, passphrase: @escaping (KeyFile) throws(StoreError) -> [UInt8],
    onWait: StoreLock.Waiting?
  ) {
    self.workspace = workspace
    self.trust = trust
    self.passphrase = passphrase
    self.onWait = onWait
  }

  public enum RenderWhen: Sendable {
    /// `render`: the file is written whether or not it exists.
    case always
    /// `rotate`: rewritten only where it was deployed (exists), so a
    /// developer's rotation does not create a production file on a laptop.
    case ifPresent
    /// `--no-render`.
    case never
  }

  public struct Outcome: Sendable {
    /// The file written, if any.
    public let rendered: URL?
    /// Where the environment renders to, when that could be settled.
    public let target: URL?
    /// The deployed key that was neither current nor a fallback, kept as one.
    public let keptDeployedKey: Bool
    /// The environment the file there was rendered for, when it is another one (left alone).
    public let otherEnvironment: String?
    /// The copy kept of a hand-written file before it was replaced.
    public var backup: URL? = nil
    /// A hand-written file was there, and left alone (`rotate`).
    public var leftUserFile = false
  }

  /// Under the store's lock: opens it for writing, lets `change` alter it
  /// (given the SECRET_KEY local_settings.py holds now, if any), renders,
  /// saves, then writes local_settings.py. `change` returns whether it kept
  /// the deployed key as a fallback where it would otherwise have been dropped.
  public func run(
    flags: RenderJob.Flags, render: RenderWhen, shipped: () throws(TemplateError) -> SettingsTemplate,
    change: (SecretStore, _ deployedKey: String?) throws(StoreError) -> Bool = { _, _ in false }
  ) throws(DeployError) -> Outcome {
    // Resolved once: a store that is a symbolic link is locked, read and written at its target.
    let storeURL: URL
    do { storeURL = try SymbolicLink.resolved(workspace.store) } catch { throw .store(.file(error)) }
    let lock: StoreLock
    do { lock = try StoreLock(for: storeURL, onWait: onWait) } catch { throw .store(error) }
    defer { lock.release() }
    let store: SecretStore
    do {
      store = try SecretStore.open(storeURL, keyRing: workspace.location.keyRing, passphrase: passphrase, trust: trust, access: .write)
    } catch { throw .store(error) }
    onOpen?(store)
    // Under the lock: temporary files a killed djsec left beside the store go now, written or not.
    AtomicFile.sweepStale(for: storeURL)

    // Settled before anything changes: a refusal leaves the store and the file in step.
    var job: RenderJob?
    do { job = try RenderJob.plan(workspace, store: store, flags: flags, shipped: shipped) } catch {
      if render == .always { throw .render(error) }
      if render == .ifPresent, Self.renderedBefore(workspace) { throw .render(error) }
    }
    // The file there now counts as this environment's deployment only when
    // it says it came from this store (or, written before files said so,
    // when this is the default environment): another environment's key must
    // never become one of this store's fallbacks, nor its file be replaced by a rotation.
    let current = job.flatMap { try? AtomicFile.readText($0.out) }
    let author = current.map(LocalSettingsAuthor.init(of:))
    // Named as the user names it: a store that is a link keeps its own name in origin lines.
    let storeName = workspace.store.lastPathComponent
    let ours = current.map { Self.isRendered($0, from: storeName, environment: workspace.environment) } ?? false
    // Another environment's render is replaced only on purpose, like a
    // hand-written file: on split settings a mistaken --settings would
    // otherwise put development's DEBUG into production's file.
    let otherEnvironment: String? = {
      if case .rendered(let origin)? = author, origin.store != storeName { return origin.environment }
      return nil
    }()
    let writes = job.map { render == .always || (render == .ifPresent && SymbolicLink.exists($0.out) && ours) } ?? false
    let replacesUserFile = writes && (author == .user || otherEnvironment != nil)
    if let job { AtomicFile.sweepStale(for: job.out) }
    // The file written is the one checked: a link is resolved once, here.
    var target = job?.out
    if let job,
      let checked = try check(
        job.out, author: author, otherEnvironment: otherEnvironment, writes: writes, rotating: render == .ifPresent, base: flags.base)
    {
      target = checked
    }
    // A hand-written file of the default environment held the key the site
    // ran on, as an older djsec's file did: kept too, when it is strong.
    let deployedKey = current.flatMap { PythonLiteral.assignedString(named: SecretKeyEntries.key, in: $0) }
    var deployed = ours ? deployedKey : nil
    if writes, author == .user, workspace.environment.isDefault, let key = deployedKey, KeyPolicy.weaknesses(of: key).isEmpty {
      deployed = key
    }

    let keptDeployed: Bool
    do { keptDeployed = try change(store, deployed) } catch { throw .store(error) }
    // Rendered before the store is saved: a value the template cannot take
    // stops the command with the store untouched.
    var text: String?
    if writes, let job { text = try job.textOrThrow(store) }
    // The copy is kept before anything changes: if it cannot be, nothing does.
    var backup: URL?
    if replacesUserFile, let job {
      do { backup = try workspace.localState.backUp(job.out, root: flags.base) } catch { throw .backup(error) }
    }
    let storeChanges = store.changed
    do { try store.save() } catch { throw .store(error) }
    guard let job, let text else {
      let other = ours ? nil : current.flatMap { Renderer.Origin(firstLineOf: $0)?.environment }
      var outcome = Outcome(rendered: nil, target: job?.out, keptDeployedKey: keptDeployed, otherEnvironment: other)
      outcome.leftUserFile = render == .ifPresent && author == .user
      return outcome
    }
    do { try AtomicFile.write(text, to: target ?? job.out, mode: 0o600) } catch {
      // Only a store that changed leaves the deployed file behind it.
      guard storeChanges else { throw .unwritten(error) }
      throw .incomplete(error, store: storeName, finish: "djsec render\(workspace.envFlag)")
    }
    // Remembered once the file is written: the next rotate renders the same way.
    do {
      try workspace.localState.remember(job.remember, for: workspace.environment)
      if render == .always { try workspace.localState.remember(workspace.environment) }
    } catch { throw .incomplete(error, store: storeName, finish: "djsec render\(workspace.envFlag)") }
    var outcome = Outcome(rendered: job.out, target: job.out, keptDeployedKey: keptDeployed, otherEnvironment: nil)
    outcome.backup = backup
    return outcome
  }

  /// Refuses to go on when the file there may not be written: one git
  /// tracks (its secrets would be committed, --force or not), and one djsec
  /// did not write, without --force. Paths as seen from `base`, where djsec
  /// runs, so a printed command (`git rm --cached PATH`) works as it is.
  /// Returns the file to write (a link resolved once) when it will be written.
  private func check(_ out: URL, author: LocalSettingsAuthor?, otherEnvironment: String?, writes: Bool, rotating: Bool, base: URL)
    throws(DeployError) -> URL?
  {
    let path = relativePath(out, from: base)
    guard writes else {
      // rotate leaves a hand-written file alone, but refuses one git tracks:
      // its secrets are committed already, and the hint says to untrack it
      // before rotating them.
      if rotating, author == .user, Git.isTracked(out) { throw .target(.tracked(path: path)) }
      return nil
    }
    let target: URL
    do { target = try SecretFileGuard.checkSecretTarget(out, root: base) } catch { throw .target(error) }
    if author == .user, !force { throw .handWritten(path: path, force: "djsec render\(workspace.envFlag) --force") }
    if let otherEnvironment, !force {
      throw .otherEnvironment(path: path, environment: otherEnvironment, force: "djsec render\(workspace.envFlag) --force")
    }
    return target
  }

  /// Whether `text` (a local_settings.py) was rendered from `store`: its
  /// origin line says so, or an older djsec wrote it for the default store.
  /// A hand-written file never is: rotate leaves it alone.
  static func isRendered(_ text: String, from store: String, environment: EnvironmentName) -> Bool {
    switch LocalSettingsAuthor(of: text) {
    case .rendered(let origin): origin.store == store
    case .olderDjsec: environment.isDefault
    case .user: false
    }
  }

  /// Whether this checkout rendered this environment before: then a rotate
  /// that cannot find where to render is an error, not a silent skip.
  static func renderedBefore(_ workspace: Workspace) -> Bool {
    workspace.localState.environment == workspace.environment
  }
}

extension RenderJob {
  fileprivate func textOrThrow(_ store: SecretStore) throws(DeployError) -> String {
    do { return try text(store) } catch { throw .render(error) }
  }
}
