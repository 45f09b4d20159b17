import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An exclusive `flock` on the store's folder: no extra lock file to ignore,
/// released by the kernel if the process dies. Every read-modify-write of the
/// store holds it, so concurrent writers wait for each other and lose nothing.
/// It is the folder of the file the store really is (every symbolic link
/// followed): a store reached through a link and by its own path has one lock.
///
/// A writer that waits more than a second is told who holds the lock through
/// `onWait` (the core never prints): a silent wait looks like a hang.
public final class StoreLock {
  /// Called at most once per lock, after a second of waiting, with the
  /// store's file name and the pid of the holder when the kernel tells it.
  public typealias Waiting = (_ store: String, _ holder: Int32?) -> Void

  static let patience: Double = 1
  private let fd: Int32
  private var held = true

  public init(for store: URL, onWait: Waiting? = nil) throws(StoreError) {
    let folder: URL
    do { folder = try SymbolicLink.resolved(store).deletingLastPathComponent() } catch { throw .file(error) }
    // O_CLOEXEC: a child (an editor, git) must not inherit the lock and keep
    // it after djsec is gone.
    fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw .file(.cannotRead(path: folder.path, errno: errno)) }
    do throws(StoreError) {
      if try !Self.tryLock(fd, folder: folder) {
        try Self.wait(fd, folder: folder) { onWait?(store.lastPathComponent, Self.holder(of: fd)) }
      }
    } catch {
      close(fd)
      throw error
    }
  }

  deinit { release() }

  public func release() {
    guard held else { return }
    held = false
    flock(fd, LOCK_UN)
    close(fd)
  }

  /// True when the lock was free and is now ours.
  private static func tryLock(_ fd: Int32, folder: URL) throws(StoreError) -> Bool {
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      if errno == EWOULDBLOCK { return false }
      if errno != EINTR { throw .file(.cannotWrite(path: folder.path, errno: errno)) }
    }
    return true
  }

  /// Polls for the first second (so a short wait stays silent), says once
  /// that it waits, then blocks until the holder is done.
  private static func wait(_ fd: Int32, folder: URL, announce: () -> Void) throws(StoreError) {
    let deadline = Date().addingTimeInterval(patience)
    while Date() < deadline {
      usleep(10_000)
      if try tryLock(fd, folder: folder) { return }
    }
    announce()
    while flock(fd, LOCK_EX) != 0 {
      if errno != EINTR { throw .file(.cannotWrite(path: folder.path, errno: errno)) }
    }
  }

  /// The pid holding a `flock` on the same inode, from /proc/locks (lines such
  /// as `1: FLOCK  ADVISORY  WRITE 4242 fe:00:16220538 0 EOF`; waiters carry
  /// `->` and are skipped). nil when Linux does not say.
  static func holder(of fd: Int32) -> Int32? {
    var info = stat()
    guard fstat(fd, &info) == 0, let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
    let dev = UInt64(info.st_dev)
    // glibc's encoding of dev_t (what major() and minor() decode).
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff)
    let minor = (dev & 0xff) | ((dev >> 12) & ~0xff)
    let inode = "\(String(major, radix: 16, uppercase: false).leftPadded(2)):\(String(minor, radix: 16).leftPadded(2)):\(info.st_ino)"
    for line in table.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == inode, let pid = Int32(fields[4]), pid > 0 else { continue }
      return pid
    }
    return nil
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
