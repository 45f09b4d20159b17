import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Copies of the files djsec replaced that it did not write (a hand-written
/// local_settings.py under `render --force` or `init --force`), so nothing a
/// user wrote is lost. They go in this checkout's state folder (LocalState,
/// outside the work tree): they hold plaintext secrets, so each is mode 0600
/// in a 0700 folder, git must not be able to commit it (asked of git, as for
/// local_settings.py, should the state folder be inside a repository), and
/// none is ever replaced: a name is taken with O_EXCL, and a second copy in
/// the same second gets a `-2` suffix.
extension LocalState {
  public var backups: URL? { folder?.appendingPathComponent("backups") }

  /// Copies `file`'s bytes, exactly, to `backups/NAME.YYYYMMDDTHHMMSSZ` in
  /// the state folder and returns where. Paths in errors are relative to `root`.
  public func backUp(_ file: URL, root: URL, now: Date = Date()) throws(BackupError) -> URL {
    let shown = relativePath(file, from: root)
    let fail = { (error: FileError) in BackupError.file(error, path: shown) }
    guard let backups else { throw .noStateFolder(path: shown) }
    do { try prepare() } catch { throw fail(error) }
    if mkdir(backups.path, 0o700) != 0, errno != EEXIST { throw fail(.cannotWrite(path: backups.path, errno: errno)) }
    do { try SecretFileGuard.checkNotLink(backups, root: root) } catch { throw .target(error, path: shown) }
    guard let data = FileManager.default.contents(atPath: file.path) else {
      throw fail(.cannotRead(path: file.path, errno: FileManager.default.fileExists(atPath: file.path) ? EACCES : ENOENT))
    }
    let stem = "\(file.lastPathComponent).\(Self.stamp(now))"
    do { try SecretFileGuard.checkSecretTarget(backups.appendingPathComponent(stem), root: root) } catch {
      throw .target(error, path: shown)
    }
    for n in 1...1000 {
      let url = backups.appendingPathComponent(n == 1 ? stem : "\(stem)-\(n)")
      let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
      if fd < 0, errno == EEXIST { continue }
      guard fd >= 0 else { throw fail(.cannotWrite(path: url.path, errno: errno)) }
      if let failure = Self.write(data, to: fd) {
        close(fd)
        // A partial copy must not pass for the file: the original is still in place.
        unlink(url.path)
        throw fail(.cannotWrite(path: url.path, errno: failure))
      }
      close(fd)
      let dir = open(backups.path, O_RDONLY | O_DIRECTORY)
      if dir >= 0 {
        fsync(dir)
        close(dir)
      }
      return url
    }
    throw fail(.cannotWrite(path: backups.appendingPathComponent(stem).path, errno: EEXIST))
  }

  /// `20261125T153900Z`: UTC, sortable, no characters a shell or a file system minds.
  static func stamp(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return
      "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
  }

  /// Writes all of `data` and syncs it; the errno of a failure, else nil.
  private static func write(_ data: Data, to fd: Int32) -> Int32? {
    // The umask may have narrowed 0600 further, never widened it; set it exactly.
    if fchmod(fd, 0o600) != 0 { return errno }
    return AtomicFile.writeAll(data, to: fd)
  }
}
