import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writing key pairs to a keys/ folder.
public enum KeyStoreFiles {
  /// Creates `LABEL.key` exclusively (never overwriting a key) with mode
  /// 0600, then `LABEL.pub`; makes the folder, with its .gitignore, if needed.
  public static func create(in folder: URL, label: String, passphrase: [UInt8]?, limits: PasswordHash.Limits = .moderate)
    throws(StoreError) -> (KeyPair, URL)
  {
    guard StoreFile.isValidLabel(label) else { throw .malformed(file: "--name", line: 1, reason: "invalid label \(label)") }
    do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
      throw .file(.cannotWrite(path: folder.path, errno: EACCES))
    }
    let ignore = folder.appendingPathComponent(".gitignore")
    if !FileManager.default.fileExists(atPath: ignore.path) {
      do {
        try AtomicFile.write("# Private keys never enter version control.\n*\n!.gitignore\n!README.md\n!*.pub\n", to: ignore, mode: 0o644)
      } catch {
        throw .file(error)
      }
    }
    let pair = KeyPair()
    let keyURL = folder.appendingPathComponent("\(label).key")
    let text: String
    do { text = try KeyFile.text(label: label, pair: pair, passphrase: passphrase, limits: limits) } catch {
      throw .malformed(file: keyURL.path, line: 1, reason: "key derivation failed")
    }
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
    do {
      try AtomicFile.write(
        KeyFile.publicText(label: label, identity: PublicIdentity(pair)), to: folder.appendingPathComponent("\(label).pub"), mode: 0o644)
    } catch { throw .file(error) }
    return (pair, keyURL)
  }
}
