import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `djsec secret edit`: every secret in the user's editor, applied in one write.
///
/// The store's lock is not held while the editor is open (that would stall
/// every other djsec command, silently, for as long as the user types).
/// Instead the store is read under the lock together with the file's exact
/// bytes; when the edit is done the lock is taken again, and the edit is
/// written only if the file is still those bytes. Otherwise nothing is
/// written and the user runs the edit again on the current secrets.
public final class EditSession {
  /// What the CLI provides: the editor command, where the copy goes, and
  /// the ways to reach the user (the core prints nothing).
  public struct Settings {
    public var editor: String
    public var copyBase: URL
    /// `--yes`: accept an empty value or removing SECRET_KEY without asking.
    public var assumeYes = false
    /// Asks a yes/no question at the terminal; nil when there is none.
    public var confirm: (String) -> Bool? = { _ in nil }
    public var onLockWait: StoreLock.Waiting? = nil
    /// Why a name may not be used (nil when it may): the caller's rules for
    /// secret names (SecretName), which the store itself does not know.
    public var checkName: (String) -> String? = { _ in nil }

    public init(editor: String, copyBase: URL) {
      self.editor = editor
      self.copyBase = copyBase
    }
  }

  public enum Outcome: Equatable, Sendable {
    case unchanged
    case applied(set: [String], removed: [String])
  }

  /// The changes an edited copy makes to the store.
  struct Plan {
    var set: [(name: String, value: [UInt8])] = []
    var removed: [String] = []
    /// Changes to confirm first, phrased for a message ("removes SECRET_KEY").
    var risky: [String] = []
  }

  let url: URL
  let store: SecretStore
  /// The store file's bytes when it was read; nil when it did not exist yet.
  let snapshot: [UInt8]?
  let secrets: [(name: String, value: [UInt8])]

  private init(url: URL, store: SecretStore, snapshot: [UInt8]?, secrets: [(name: String, value: [UInt8])]) {
    self.url = url
    self.store = store
    self.snapshot = snapshot
    self.secrets = secrets
  }

  /// Reads the store (or makes a new one in memory with `create`) and its
  /// bytes under the lock, then lets the lock go.
  public static func begin(
    _ url: URL, keyRing: KeyRing, passphrase: (KeyFile) throws(StoreError) -> [UInt8], trust: TrustSettings,
    create: (() throws(StoreError) -> SecretStore)? = nil, onLockWait: StoreLock.Waiting? = nil
  ) throws(EditError) -> EditSession {
    let lock = try storeStep { () throws(StoreError) in try StoreLock(for: url, onWait: onLockWait) }
    defer { lock.release() }
    let snapshot = try storeStep { () throws(StoreError) in try contents(of: url) }
    let store = try storeStep { () throws(StoreError) in
      if snapshot == nil, let create { return try create() }
      return try SecretStore.open(url, keyRing: keyRing, passphrase: passphrase, trust: trust, access: .write)
    }
    // Writers hold the lock, but git does not: make sure the snapshot is
    // the file that was opened.
    guard try storeStep({ () throws(StoreError) in try contents(of: url) }) == snapshot else {
      throw .changedWhileEditing(store: url.lastPathComponent)
    }
    let secrets = try storeStep { () throws(StoreError) in
      try store.names.map { name throws(StoreError) in (name, try store.value(name).withUnsafeBytes { Array($0) }) }
    }
    return EditSession(url: url, store: store, snapshot: snapshot, secrets: secrets)
  }

  /// The whole edit: copy, editor (reopened on an error), confirmation, and
  /// the write. Throws `.interrupted` after removing the copy when djsec
  /// received a signal that must end it.
  public func run(_ settings: Settings) throws(EditError) -> Outcome {
    let plan = try edit(settings)
    if plan.set.isEmpty && plan.removed.isEmpty { return .unchanged }
    if !plan.risky.isEmpty && !settings.assumeYes {
      let question = "the edit \(plan.risky.joined(separator: " and ")); apply it? [y/N] "
      switch settings.confirm(question) {
      case true?: break
      case false?: throw .notConfirmed
      case nil: throw .needsConfirmation(changes: plan.risky)
      }
    }
    try commit(plan, onLockWait: settings.onLockWait)
    return .applied(set: plan.set.map(\.name), removed: plan.removed)
  }

  /// Runs the editor until the copy reads without error, and returns what
  /// it changes. The copy is gone when this returns or throws.
  func edit(_ settings: Settings) throws(EditError) -> Plan {
    PlaintextCopy.sweepStale(in: settings.copyBase)
    var given = Array(EditText.render(secrets).utf8)
    let copy = try PlaintextCopy(in: settings.copyBase, text: given)
    defer { copy.remove() }
    // A person fixes the copy in a round or two; an editor that changes it
    // every time without fixing it (a script) must not keep djsec looping.
    var reopenings = 0
    while true {
      switch EditorProcess.run(settings.editor, file: copy.file) {
      case .exited(0): break
      case .exited(let status): throw .editorFailed(editor: settings.editor, status: status)
      case .killed(let signal) where signal == SIGINT || signal == SIGQUIT: throw .interrupted(signal: signal)
      case .killed(let signal): throw .editorKilled(editor: settings.editor, signal: signal)
      case .interrupted(let signal): throw .interrupted(signal: signal)
      case .cannotStart(let code): throw .cannotStartEditor(editor: settings.editor, errno: code)
      }
      let saved = try copy.read()
      do throws(EditError) {
        let edited = try EditText.parse(saved, checkName: settings.checkName)
        if edited.isEmpty && !secrets.isEmpty { throw EditError.emptied }
        return plan(edited)
      } catch {
        // Saved as it was given after an error: the user (or a scripted
        // editor) has nothing more to say, so the error stands.
        guard case .invalidCopy(let line, let reason) = error, saved != given, reopenings < Self.maxReopenings else { throw error }
        reopenings += 1
        given = EditText.annotate(saved, line: line, reason: reason)
        try copy.write(given)
      }
    }
  }

  static let maxReopenings = 5

  func plan(_ edited: [(name: String, value: [UInt8])]) -> Plan {
    var plan = Plan()
    let before = Dictionary(secrets, uniquingKeysWith: { first, _ in first })
    let after = Dictionary(edited, uniquingKeysWith: { first, _ in first })
    for (name, value) in edited.sorted(by: { $0.name < $1.name }) where before[name] != value {
      plan.set.append((name, value))
      if value.isEmpty { plan.risky.append("sets an empty value for \(name)") }
    }
    plan.removed = secrets.map(\.name).filter { after[$0] == nil }
    if plan.removed.contains(SecretKeyEntries.key) {
      plan.risky.append("removes \(SecretKeyEntries.key) (Django does not start without it)")
    }
    return plan
  }

  /// Takes the lock again and writes the plan, unless the file changed since
  /// it was read: then nothing is written.
  func commit(_ plan: Plan, onLockWait: StoreLock.Waiting?) throws(EditError) {
    let lock = try Self.storeStep { () throws(StoreError) in try StoreLock(for: url, onWait: onLockWait) }
    defer { lock.release() }
    guard try Self.storeStep({ () throws(StoreError) in try Self.contents(of: url) }) == snapshot else {
      throw .changedWhileEditing(store: url.lastPathComponent)
    }
    try Self.storeStep { () throws(StoreError) in
      for name in plan.removed { try store.remove(name) }
      for (name, value) in plan.set { try store.set(name, value) }
      try store.save()
    }
  }

  private static func storeStep<T>(_ body: () throws(StoreError) -> T) throws(EditError) -> T {
    do { return try body() } catch { throw .store(error) }
  }

  /// The file's bytes, or nil when it does not exist.
  static func contents(of url: URL) throws(StoreError) -> [UInt8]? {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      if !FileManager.default.fileExists(atPath: url.path) { return nil }
      throw .file(.cannotRead(path: url.path, errno: EACCES))
    }
    return Array(data)
  }
}
