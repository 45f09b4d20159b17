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
  /// 0600, then `LABEL.pub`; makes the folder (with `folderMode`: 0700 for the
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
    // O_EXCL: an existing key is never replaced, even by a race.
    let fd = open(keyURL.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else {
      if errno == EEXIST { throw .keyExists(path: keyURL.path) }
      throw .file(.cannotWrite(path: keyURL.path, errno: errno))
    }
    let bytes = Array(text.utf8)
    let ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count && fsync(fd) == 0
    close(fd)
    guard ok else {
      unlink(keyURL.path)
      throw .file(.cannotWrite(path: keyURL.path, errno: errno))
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
