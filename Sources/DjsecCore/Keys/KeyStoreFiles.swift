import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writing key pairs to a keys/ folder.
public enum KeyStoreFiles {
  /// The .gitignore `create` writes in a new keys folder.
  static let ignoreRules = "# Private keys never enter version control.\n*\n!.gitignore\n!README.md\n!*.pub\n"

  /// Refuses a folder a private key must not be written into: a symbolic
  /// link (it can point anywhere, a committed one anywhere its author
  /// likes), or a folder in a git work tree whose rules would not ignore
  /// `LABEL.key` (a weakened keys/.gitignore: the next `git add keys/` would
  /// commit the key). git itself answers, so every rule counts: the folder's
  /// own .gitignore, the ones above it, .git/info/exclude. A folder with no
  /// .gitignore yet gets `create`'s, which ignores the key whatever the
  /// rules above it say. Called again just before the key is written.
  public static func checkFolder(_ folder: URL, label: String) throws(KeyFileError) {
    if SymbolicLink.isLink(folder) { throw .keyFolderIsLink(path: folder.path) }
    let key = folder.appendingPathComponent("\(label).key")
    guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(".gitignore").path) else { return }
    if Git.isInsideWorkTree(folder), !Git.isIgnored(key) { throw .keyNotIgnored(path: key.path) }
  }

  /// Creates `LABEL.key` exclusively (never overwriting a key) with mode
  /// 0600, whole or not at all, then `LABEL.pub` (a kill between the two
  /// leaves a key without its public half: `keys new` then says to run
  /// `keys pub`, which writes it); makes the folder (with `folderMode`: 0700 for the
  /// per-user folder), with its .gitignore, if needed. Refuses a folder
  /// `checkFolder` refuses, before the key exists.
  public static func create(
    in folder: URL, label: String, passphrase: [UInt8]?, limits: PasswordHash.Limits = .moderate, folderMode: mode_t = 0o755
  ) throws(KeyFileError) -> (KeyPair, URL) {
    guard KeyFile.isValidLabel(label) else { throw .invalidLabel(label) }
    if passphrase?.isEmpty == true { throw .emptyPassphrase }
    try checkFolder(folder, label: label)
    do {
      try FileManager.default.createDirectory(
        at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: NSNumber(value: folderMode)])
    } catch {
      throw .file(.cannotWrite(path: folder.path, errno: EACCES))
    }
    let ignore = folder.appendingPathComponent(".gitignore")
    if !FileManager.default.fileExists(atPath: ignore.path) {
      do {
        try AtomicFile.write(ignoreRules, to: ignore, mode: 0o644)
      } catch {
        throw .file(error)
      }
    }
    // Again, now that the folder and its .gitignore exist: the answer git gives for the real path.
    try checkFolder(folder, label: label)
    let pair: KeyPair
    do { pair = try KeyPair() } catch { throw .crypto(error) }
    let keyURL = folder.appendingPathComponent("\(label).key")
    let text = try KeyFile.text(label: label, pair: pair, passphrase: passphrase, limits: limits)
    // Whole or not at all, and never over an existing key (see AtomicFile.create).
    do { try AtomicFile.create(Data(text.utf8), at: keyURL, mode: 0o600) } catch {
      guard case .exists = error else { throw .file(error) }
      let pub = folder.appendingPathComponent("\(label).pub")
      throw SymbolicLink.exists(pub) ? .keyExists(path: keyURL.path) : .publicHalfMissing(path: keyURL.path, label: label)
    }
    let identity: PublicIdentity
    do { identity = try PublicIdentity(pair) } catch { throw .crypto(error) }
    do {
      try AtomicFile.write(
        KeyFile.publicText(label: label, identity: identity), to: folder.appendingPathComponent("\(label).pub"), mode: 0o644)
    } catch { throw .file(error) }
    return (pair, keyURL)
  }
}
