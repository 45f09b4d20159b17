import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Errors from the file system, keeping errno so a user sees the real cause.
public enum FileError: Error, Equatable, Sendable {
  case cannotWrite(path: String, errno: Int32)
  case cannotRead(path: String, errno: Int32)
  /// An exclusive create found something at the name already.
  case exists(path: String)
  /// A symbolic link to nothing: djsec writes neither beside it nor over it.
  case danglingLink(path: String, target: String)
  /// Replacing the file would hand it to the writer: its owner or group
  /// could not be given to the new file (only root may give a file away).
  case cannotKeepOwner(path: String, owner: String, group: String)
}

extension FileError: DjsecError {
  public var message: String {
    switch self {
    case .cannotWrite(let path, let code): "cannot write \(path): \(String(cString: strerror(code)))"
    case .cannotRead(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
    case .exists(let path): "refusing to overwrite \(path)"
    case .danglingLink(let path, let target): "\(path) is a symbolic link to \(target), which does not exist"
    case .cannotKeepOwner(let path, let owner, let group):
      "cannot replace \(path) and keep its owner and group (\(owner):\(group)); nothing was written"
    }
  }

  public var hint: String? {
    switch self {
    case .cannotWrite: "check that the folder exists and that you may write to it"
    case .cannotRead: "check that the file exists and that you may read it"
    case .exists: "remove it first if it is really unused"
    case .danglingLink: "point the link at an existing file, or remove it so djsec writes a regular file in its place"
    case .cannotKeepOwner(_, let owner, _):
      "run djsec as \(owner) (sudo -u \(owner) djsec ...) or as root, or give the file to yourself first if it should be yours"
    }
  }
}

/// Crash-safe file writes. The data goes to a temporary file in the target's
/// folder (so `rename` cannot cross file systems), gets the owner, group and
/// mode the file must have before it has a visible name, is fsynced, is
/// renamed over the target (`write`) or linked to a name that must be new
/// (`create`), and then the folder is fsynced so the name survives a power
/// cut. A reader sees the old file or the new one, never a half-written one.
///
/// - **Links.** A write goes where a symbolic link points (SymbolicLink.resolved):
///   the link the user made stays, and a dangling one is refused.
/// - **Temporary files** are `.NAME.djsec-tmp-PID-XXXXXX`: the marker lets
///   the ignore block `init` writes cover them (GitIgnoreGuard.temporaryPattern;
///   one of local_settings.py holds every secret), and the writer's pid lets
///   the next write remove those of a writer that was killed (`kill -9`
///   leaves them), and `staleTemporaryFiles` find them.
/// - **Owner, group and mode** of a file replaced are kept (see `keptMode`),
///   or nothing is written.
public enum AtomicFile {
  /// The marker in every temporary file's name.
  public static let temporaryMarker = ".djsec-tmp-"

  /// Replaces (or creates) the file at `url`, through a symbolic link.
  /// `mode` is a new file's mode; a file replaced keeps its own (`keptMode`).
  public static func write(_ data: Data, to url: URL, mode: mode_t) throws(FileError) {
    let target = try SymbolicLink.resolved(url)
    var old = stat()
    let replacing = stat(target.path, &old) == 0
    let temp = try Temporary(for: target)
    defer { temp.discard() }
    if replacing {
      try temp.keepOwner(of: old, target: target.path)
      try temp.chmod(keptMode(old.st_mode, requested: mode), target: target.path)
    } else {
      try temp.chmod(mode, target: target.path)
    }
    try temp.write(data, target: target.path)
    guard rename(temp.path, target.path) == 0 else { throw .cannotWrite(path: target.path, errno: errno) }
    temp.published()
    syncFolder(of: target)
  }

  public static func write(_ text: String, to url: URL, mode: mode_t) throws(FileError) {
    try write(Data(text.utf8), to: url, mode: mode)
  }

  /// Creates the file at `url` with `mode`, never replacing anything there
  /// (`.exists`), and never visible half-written: the data is fsynced in a
  /// temporary file that `link(2)` then gives the final name (it fails with
  /// EEXIST where `rename` would overwrite). A process killed at any point
  /// leaves no file at `url` or the whole one. For private keys.
  public static func create(_ data: Data, at url: URL, mode: mode_t) throws(FileError) {
    let temp = try Temporary(for: url)
    defer { temp.discard() }
    try temp.chmod(mode, target: url.path)
    try temp.write(data, target: url.path)
    guard link(temp.path, url.path) == 0 else {
      if errno == EEXIST { throw .exists(path: url.path) }
      throw .cannotWrite(path: url.path, errno: errno)
    }
    temp.discard()
    syncFolder(of: url)
  }

  /// The mode a replaced file keeps: its own, never widened; for a file that
  /// holds secrets (the requested mode gives others nothing, as 0600 does),
  /// without the permissions for others.
  ///
  /// The owner and group bits stay as the user set them: a deploy often
  /// shares local_settings.py with the app through its group (0640
  /// root:www-data), and taking those away (as a plain 0600 would) stops the
  /// app at start-up with PermissionError. The bits for others are the ones
  /// djsec narrows on a file that holds secrets (0644 becomes 0640): a
  /// world-readable file of secrets hands them to every account on the
  /// machine, the exposure djsec exists to prevent, and an app that must read
  /// the file gets it through its owner or group. setuid, setgid and sticky
  /// bits are dropped: no file djsec writes needs them.
  public static func keptMode(_ old: mode_t, requested: mode_t) -> mode_t {
    old & (requested & 0o007 == 0 ? 0o770 : 0o777)
  }

  /// Temporary files in `folder` whose writer is gone (its pid no longer
  /// runs): what a killed djsec left. Also those of older djsec versions
  /// (`.NAME.djsec-XXXXXX`, without a pid) untouched for `legacyAge` seconds.
  /// Writes all of `data` to `fd` (again after EINTR or a short write) and
  /// fsyncs it; the errno of a failure, else nil.
  static func writeAll(_ data: Data, to fd: Int32) -> Int32? {
    let failure = data.withUnsafeBytes { raw -> Int32? in
      var offset = 0
      while offset < raw.count {
        let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          return errno
        }
        offset += n
      }
      return nil
    }
    if let failure { return failure }
    return fsync(fd) != 0 ? errno : nil
  }

  public static func staleTemporaryFiles(in folder: URL) -> [URL] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
    return names.filter { isStale($0, in: folder, target: nil) }.sorted().map { folder.appendingPathComponent($0) }
  }

  /// Removes the stale temporary files of `target` (see `staleTemporaryFiles`).
  static func sweepStale(for target: URL) {
    let folder = target.deletingLastPathComponent()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
    for name in names where isStale(name, in: folder, target: target.lastPathComponent) {
      unlink(folder.appendingPathComponent(name).path)
    }
  }

  /// No djsec write takes this long: a temporary file of an older djsec
  /// (with no pid to ask about) this old was left by a killed one.
  static let legacyAge: TimeInterval = 600

  /// Whether `name` in `folder` is a temporary file of `target` (of any
  /// file when nil) left by a writer that is gone. Only regular files.
  private static func isStale(_ name: String, in folder: URL, target: String?) -> Bool {
    guard name.hasPrefix("."), let marker = name.range(of: ".djsec-", options: .backwards) else { return false }
    let file = name[name.index(after: name.startIndex)..<marker.lowerBound]
    guard !file.isEmpty, target.map({ $0 == file }) ?? true else { return false }
    var info = stat()
    guard lstat(folder.appendingPathComponent(name).path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
    let rest = name[marker.upperBound...]
    if rest.hasPrefix("tmp-") {
      // tmp-PID-XXXXXX: stale once no process has that pid (EPERM: one runs, as another user).
      let parts = rest.dropFirst(4).split(separator: "-", omittingEmptySubsequences: false)
      guard parts.count == 2, parts[1].count == 6, let pid = Int32(parts[0]), pid > 0 else { return false }
      return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
    }
    // An older djsec's XXXXXX.
    guard rest.count == 6, rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
    return Date().timeIntervalSince1970 - TimeInterval(info.st_mtim.tv_sec) > legacyAge
  }

  private static func syncFolder(of file: URL) {
    let fd = open(file.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
  }

  /// Reads a whole UTF-8 text file; nil when it does not exist.
  public static func readText(_ url: URL) throws(FileError) -> String? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw .cannotRead(path: url.path, errno: EACCES)
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The permission bits of a file, or nil when it does not exist.
  public static func mode(of url: URL) -> mode_t? {
    var info = stat()
    guard stat(url.path, &info) == 0 else { return nil }
    return info.st_mode & 0o7777
  }
}

/// A temporary file beside `target`, open for writing, removed by `discard`
/// unless it was published.
private final class Temporary {
  let path: String
  private var fd: Int32
  private var kept = false

  init(for target: URL) throws(FileError) {
    AtomicFile.sweepStale(for: target)
    let folder = target.deletingLastPathComponent().path
    var template = Array("\(folder)/.\(target.lastPathComponent)\(AtomicFile.temporaryMarker)\(getpid())-XXXXXX".utf8CString)
    // mkstemp creates the file 0600 and exclusively: nobody else can open it first.
    fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw .cannotWrite(path: target.path, errno: errno) }
    path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Gives the file the owner and group of `old` (the file it replaces),
  /// before any data is in it. Root may give a file to anyone; another user
  /// only to themselves and a group they are in (EPERM otherwise).
  func keepOwner(of old: stat, target: String) throws(FileError) {
    guard old.st_uid != geteuid() || old.st_gid != getegid() else { return }
    guard fchown(fd, old.st_uid, old.st_gid) == 0 else {
      guard errno == EPERM else { throw .cannotWrite(path: target, errno: errno) }
      throw .cannotKeepOwner(path: target, owner: Self.userName(old.st_uid), group: Self.groupName(old.st_gid))
    }
  }

  func chmod(_ mode: mode_t, target: String) throws(FileError) {
    guard fchmod(fd, mode) == 0 else { throw .cannotWrite(path: target, errno: errno) }
  }

  /// Writes all of `data` and fsyncs it.
  func write(_ data: Data, target: String) throws(FileError) {
    if let failure = AtomicFile.writeAll(data, to: fd) { throw .cannotWrite(path: target, errno: failure) }
  }

  /// The file has its final name (rename): nothing is left to remove.
  func published() { kept = true }

  /// Closes the file, and removes its name unless it was renamed (after a
  /// `link`, the final name holds the data and this one goes). Once.
  func discard() {
    if fd >= 0 {
      close(fd)
      fd = -1
    }
    if !kept { unlink(path) }
    kept = true
  }

  static func userName(_ uid: uid_t) -> String {
    // "#UID" is how sudo -u names a user without a name.
    guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "#\(uid)" }
    return String(cString: name)
  }

  static func groupName(_ gid: gid_t) -> String {
    guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "#\(gid)" }
    return String(cString: name)
  }
}
