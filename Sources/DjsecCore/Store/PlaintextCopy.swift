import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The decrypted copy `djsec secret edit` hands to the editor: the one place
/// secrets sit in clear on disk, so it is kept short-lived and private.
///
/// - It lives in `$XDG_RUNTIME_DIR` when that is a private folder of this user
///   (a per-user tmpfs: never written to a disk, emptied at logout), else in
///   TMPDIR; in a folder `djsec-edit-<pid>-XXXXXX` (0700) as `secrets.env` (0600).
/// - It is removed when the edit ends, whatever the outcome; while it exists,
///   SIGTERM, SIGHUP, SIGINT and SIGQUIT remove it before djsec dies of them
///   (see `CopyGuard`).
/// - A djsec killed with SIGKILL cannot clean up: the pid in the folder's
///   name lets the next `secret edit` find and remove folders whose owner is gone.
public final class PlaintextCopy {
  public static let folderPrefix = "djsec-edit-"
  public static let fileName = "secrets.env"

  public let folder: URL
  public let file: URL
  private var removed = false

  /// Where copies go for this environment: XDG_RUNTIME_DIR when it is a folder
  /// only this user can enter (as the XDG spec requires), else TMPDIR, else /tmp.
  public static func base(environment: [String: String]) -> URL {
    if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
      var info = stat()
      if stat(runtime, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(), info.st_mode & 0o077 == 0 {
        return URL(fileURLWithPath: runtime, isDirectory: true)
      }
    }
    if let tmp = environment["TMPDIR"], !tmp.isEmpty { return URL(fileURLWithPath: tmp, isDirectory: true) }
    return URL(fileURLWithPath: "/tmp", isDirectory: true)
  }

  /// Removes the copies of djsec processes that died without cleaning up:
  /// folders in `base` named by this scheme, owned by this user, not symbolic
  /// links, whose pid no longer runs. Anything else is left alone.
  public static func sweepStale(in base: URL) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: base.path) else { return }
    for name in names where name.hasPrefix(folderPrefix) {
      let rest = name.dropFirst(folderPrefix.count)
      guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0, pid != getpid() else { continue }
      let path = base.appendingPathComponent(name).path
      var info = stat()
      guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else { continue }
      guard kill(pid, 0) != 0, errno == ESRCH else { continue }
      try? FileManager.default.removeItem(atPath: path)
    }
  }

  /// Makes the private folder and writes `text` into it, with the signal
  /// guard armed before the first byte of plaintext is written.
  public init(in base: URL, text: [UInt8]) throws(EditError) {
    var template = Array("\(base.path)/\(Self.folderPrefix)\(getpid())-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw .file(.cannotWrite(path: base.path, errno: errno))
    }
    folder = URL(fileURLWithPath: String(cString: made), isDirectory: true)
    file = folder.appendingPathComponent(Self.fileName)
    // mkdtemp makes it 0700 whatever the umask; said again for the reader.
    chmod(folder.path, 0o700)
    CopyGuard.arm(file: file.path, folder: folder.path)
    do throws(EditError) { try write(text) } catch {
      remove()
      throw error
    }
  }

  deinit { remove() }

  /// Replaces the copy's contents in place, mode 0600. No temporary file: a
  /// private folder has no other reader, and a stray temporary name would
  /// escape the signal guard's cleanup.
  public func write(_ bytes: [UInt8]) throws(EditError) {
    let fd = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .file(.cannotWrite(path: file.path, errno: errno)) }
    defer { close(fd) }
    guard fchmod(fd, 0o600) == 0 else { throw .file(.cannotWrite(path: file.path, errno: errno)) }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .file(.cannotWrite(path: file.path, errno: errno))
      }
      offset += n
    }
  }

  public func read() throws(EditError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: file.path) else {
      throw .file(.cannotRead(path: file.path, errno: errno == 0 ? ENOENT : errno))
    }
    return Array(data)
  }

  /// Removes the folder and everything in it (an editor's swap and backup
  /// files hold the plaintext too), then disarms the guard.
  public func remove() {
    guard !removed else { return }
    removed = true
    try? FileManager.default.removeItem(at: folder)
    CopyGuard.disarm()
  }
}

/// Signal handling while a plaintext copy exists. The handler may run on any
/// thread and only touches plain memory and async-signal-safe calls.
///
/// - While the editor runs, Ctrl-C and Ctrl-\ (SIGINT, SIGQUIT) belong to the
///   editor, as in git: djsec lives on to remove the copy. SIGTERM and SIGHUP
///   are noted; `EditorProcess` passes them on to the editor, waits for it
///   (its swap files must be gone before the folder is removed) and reports
///   them, and the caller removes the copy and dies of the same signal.
/// - Otherwise any of the four removes the copy at once (the file, then the
///   folder; anything else in it is swept by the next `secret edit`), then
///   djsec dies of the signal with its default action, so its parent sees
///   the real cause.
enum CopyGuard {
  static let signals: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
  static let editorRunning = Atomic<Bool>(false)
  static let pending = Atomic<Int32>(0)
  nonisolated(unsafe) static var file: UnsafeMutablePointer<CChar>?
  nonisolated(unsafe) static var folder: UnsafeMutablePointer<CChar>?
  nonisolated(unsafe) static var previous: [Int32: sigaction] = [:]

  static func arm(file path: String, folder dir: String) {
    disarm()
    _ = editorRunning.load(ordering: .sequentiallyConsistent)
    _ = pending.load(ordering: .sequentiallyConsistent)
    file = strdup(path)
    folder = strdup(dir)
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { signal in CopyGuard.handle(signal) }
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    for signal in signals { sigaddset(&action.sa_mask, signal) }
    for signal in signals {
      var old = sigaction()
      sigaction(signal, nil, &old)
      // A signal ignored from the start stays ignored (`nohup`, a background
      // job of a script): whoever started djsec asked for that.
      if let handler = old.__sigaction_handler.sa_handler, unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
        continue
      }
      sigaction(signal, &action, nil)
      previous[signal] = old
    }
  }

  static func disarm() {
    for (signal, old) in previous {
      var restored = old
      sigaction(signal, &restored, nil)
    }
    previous = [:]
    let (oldFile, oldFolder) = (file, folder)
    (file, folder) = (nil, nil)
    free(oldFile)
    free(oldFolder)
  }

  private static func handle(_ signal: Int32) {
    if editorRunning.load(ordering: .sequentiallyConsistent) {
      if signal == SIGTERM || signal == SIGHUP { pending.store(signal, ordering: .sequentiallyConsistent) }
      return
    }
    if let file { unlink(file) }
    if let folder { rmdir(folder) }
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
  }
}
