import Foundation

/// The private keys that may open a store, in the order they are tried:
/// `DJSEC_PRIVATE_KEY` (base64, for CI), the file named by `DJSEC_KEY_FILE`,
/// then every `*.key` in each of `folders` (for a project: keys/ beside the
/// store, the project's keys/, the per-user folder). The same key reached
/// twice counts once.
///
/// A key file someone else could have put there is refused wherever it is
/// found, not skipped: one git tracks (a clone brings it from upstream, and
/// a key committed is a key leaked), one other users may read or change, one
/// another user owns. Refusing loudly is what stops a key planted upstream
/// from quietly becoming the recipient of a new store.
public struct KeyRing: Sendable {
  public var folders: [URL]
  public var environment: DjsecEnvironment
  /// `--key`: a label or the path of a .key file (it has a `/` or ends in
  /// `.key`). When set, that key is the only one used, to open a store or to
  /// seal a new one. A path is the one way to use a key without looking at
  /// the others (a shared checkout whose keys/ holds another user's key).
  public var selection: String?

  public init(folders: [URL], environment: DjsecEnvironment, selection: String? = nil) {
    self.folders = folders
    self.environment = environment
    self.selection = selection
  }

  /// One folder, the variables given as a dictionary (tests, tools).
  public init(keysFolder: URL, environment: [String: String]) {
    self.init(folders: [keysFolder], environment: DjsecEnvironment(environment))
  }

  public enum Candidate: Sendable {
    case pair(KeyPair, source: String)
    case file(KeyFile)

    public var publicKey: [UInt8] {
      switch self {
      case .pair(let p, _): p.publicKey
      case .file(let f): f.publicKey
      }
    }

    /// The recipient label a new store gives this key.
    public var label: String {
      switch self {
      case .pair: "ci"
      case .file(let f): f.label
      }
    }

    /// Where the key came from: the key file's path, or the variable's name.
    public var location: String {
      switch self {
      case .pair(_, let source): source
      case .file(let f): f.path
      }
    }

    /// `label (where)`, for messages; a path below `base` (by default the
    /// current folder) is shown relative to it.
    public func summary(from base: URL? = nil) -> String {
      switch self {
      case .pair(_, let source): "\(label) (\(source))"
      case .file(let f): "\(label) (\(base.map { relativePath(URL(fileURLWithPath: f.path), from: $0) } ?? KeyFileError.shown(f.path)))"
      }
    }
  }

  public func candidates() throws(StoreError) -> [Candidate] {
    do {
      if let selection, Self.isPath(selection) {
        let url = URL(fileURLWithPath: selection).standardizedFileURL
        return [.file(try Self.readChecked(url, tracked: Git.isTracked(url)))]
      }
      return try select(from: all())
    } catch { throw .key(error) }
  }

  static func isPath(_ selection: String) -> Bool { selection.contains("/") || selection.hasSuffix(".key") }

  /// The key a new store is sealed to: the one named by `selection`, else
  /// the only key there is. Never "the first of several": with more than one
  /// and none named, the user must choose (the list is in the error).
  /// `preferring` is the label an environment's own key has: among several
  /// keys (a laptop holds development's and production's), a new store of
  /// that environment is sealed to its own.
  public func keyForNewStore(preferring label: String? = nil) throws(StoreError) -> Candidate {
    let keys = try candidates()
    if keys.count == 1 { return keys[0] }
    if selection == nil, let label, let own = keys.first(where: { $0.label == label }) { return own }
    if keys.isEmpty {
      throw .key(.noKeys(searched: uniqueFolders.map { KeyFileError.shown($0.path) + "/" } + ["DJSEC_PRIVATE_KEY", "DJSEC_KEY_FILE"]))
    }
    throw .key(.severalKeys(keys.map { $0.summary() }))
  }

  private var uniqueFolders: [URL] {
    var seen: Set<String> = []
    return folders.map(\.standardizedFileURL).filter { seen.insert($0.path).inserted }
  }

  /// Every key found, each checked, duplicates (by public key) dropped.
  func all() throws(KeyFileError) -> [Candidate] {
    var out: [Candidate] = []
    if let text = environment.privateKey {
      let bytes = text.withUnsafeBytes {
        Base64Text.decode(Substring(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
      }
      guard let bytes, bytes.count == KeyPair.keyBytes, let pair = try? KeyPair(privateKey: SecretBytes(copying: bytes)) else {
        throw .invalidPrivateKeyVariable
      }
      out.append(.pair(pair, source: "DJSEC_PRIVATE_KEY"))
    }
    if let path = environment.keyFile {
      let url = URL(fileURLWithPath: path)
      do { out.append(.file(try Self.readChecked(url, tracked: Git.isTracked(url)))) } catch {
        if case .unreadable(_, let code) = error { throw .unreadableKeyFileVariable(path: path, errno: code) }
        throw error
      }
    }
    for folder in uniqueFolders {
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
      guard !names.isEmpty else { continue }
      let tracked = Git.trackedNames(in: folder)
      for name in names {
        out.append(.file(try Self.readChecked(folder.appendingPathComponent(name), tracked: tracked.contains(name))))
      }
    }
    var seen: Set<[UInt8]> = []
    return out.filter { seen.insert($0.publicKey).inserted }
  }

  static func readChecked(_ url: URL, tracked: Bool) throws(KeyFileError) -> KeyFile {
    guard !tracked else { throw .tracked(path: url.path) }
    return try KeyFile.read(url)
  }

  /// Narrows `keys` to the one labelled `selection` (or, for
  /// DJSEC_PRIVATE_KEY, named so).
  func select(from keys: [Candidate]) throws(KeyFileError) -> [Candidate] {
    guard let selection else { return keys }
    let matches = keys.filter { $0.label == selection || $0.location == selection }
    guard let first = matches.first else { throw .unknownKey(selection, available: keys.map(\.label)) }
    guard matches.count == 1 else { throw .ambiguousLabel(selection, paths: matches.map(\.location)) }
    return [first]
  }
}
