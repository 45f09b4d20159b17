import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where compiled Hyperscan databases are kept between runs:
/// `$XDG_CACHE_HOME/djsec/` (default `~/.cache/djsec/`), one file per
/// database, named by its key. Compiling every rule takes most of a small
/// scan's time; loading the compiled bytes takes a few milliseconds.
///
/// Nothing in a cache file is trusted: Hyperscan.swift builds the key from
/// everything that shapes the database (expressions, ids, flags, library
/// version, CPU features), and a file whose header names another key, whose
/// payload digest does not match, or that Hyperscan will not accept is
/// removed and the database compiled again. The folder must be a real folder
/// (not a link) owned by the user, else no cache is used at all: another
/// user who could replace the bytes would choose what the scan looks for.
/// Every failure here is silent: the worst a bad cache may cost is a compile.
public final class EngineCache: @unchecked Sendable {
  /// nil when the user has no home: every run compiles.
  public let folder: URL?
  private let lock = NSLock()
  private var counts = Counts()

  /// What this cache did; for tests, which must tell a load from a compile
  /// without the shipped binary reading anything from its environment.
  struct Counts: Equatable {
    var loaded = 0
    var compiled = 0
    var discarded = 0
  }

  public init(folder: URL?) { self.folder = folder }

  /// The user's cache folder, from XDG_CACHE_HOME or HOME (relative values
  /// are ignored, as the XDG specification says).
  public convenience init(environment: [String: String]) {
    if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
      self.init(folder: URL(fileURLWithPath: cache).appendingPathComponent("djsec"))
    } else if let home = environment["HOME"], home.hasPrefix("/") {
      self.init(folder: URL(fileURLWithPath: home).appendingPathComponent(".cache/djsec"))
    } else {
      self.init(folder: nil)
    }
  }

  var testOnlyCounts: Counts { lock.withLock { counts } }

  func note(loaded: Int = 0, compiled: Int = 0, discarded: Int = 0) {
    lock.withLock {
      counts.loaded += loaded
      counts.compiled += compiled
      counts.discarded += discarded
    }
  }

  /// "djsec-hsdb-1\n", the key in hex, "\n", the payload's digest in hex, "\n".
  static let magic = Array("djsec-hsdb-1\n".utf8)
  static let headerSize = magic.count + 2 * 33
  /// No rules file compiles to anything near this: a larger file is not ours.
  static let maximumSize = 256 << 20

  func file(key: String) -> URL? { folder?.appendingPathComponent("hs-\(key).db") }

  /// Whether a file is stored under `key` (its content is checked only by `load`).
  func contains(key: String) -> Bool {
    guard let file = file(key: key) else { return false }
    return access(file.path, F_OK) == 0
  }

  /// The payload stored under `key`, or nil (none, unusable folder, or a
  /// file that is not exactly what `store` wrote for this key: then removed).
  func load(key: String) -> [UInt8]? {
    guard let file = file(key: key), usableFolder(create: false) else { return nil }
    let fd = open(file.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      if errno != ENOENT { discard(key: key) }
      return nil
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
      info.st_size >= Self.headerSize, info.st_size <= Self.maximumSize
    else {
      discard(key: key)
      return nil
    }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { break }
      offset += n
    }
    let payload = Array(bytes[Self.headerSize...])
    guard offset == bytes.count, Array(bytes[..<Self.headerSize]) == Self.header(key: key, payload: payload) else {
      discard(key: key)
      return nil
    }
    return payload
  }

  /// Keeps `payload` under `key`. Written atomically (a temporary file
  /// renamed over the name): two scans storing the same key at once each
  /// publish a whole file, and the last rename wins.
  func store(_ payload: [UInt8], key: String) {
    guard let file = file(key: key), payload.count + Self.headerSize <= Self.maximumSize, usableFolder(create: true) else {
      return
    }
    // AtomicFile writes through a link; none belongs here.
    if SymbolicLink.isLink(file) { unlink(file.path) }
    try? AtomicFile.write(Data(Self.header(key: key, payload: payload) + payload), to: file, mode: 0o600)
  }

  /// Removes what is stored under `key`.
  func discard(key: String) {
    guard let file = file(key: key), usableFolder(create: false) else { return }
    unlink(file.path)
    note(discarded: 1)
  }

  static func header(key: String, payload: [UInt8]) -> [UInt8] {
    magic + Array("\(key)\n\(SecretDigest.hex(payload))\n".utf8)
  }

  /// Whether the folder is a real folder of this user's, with nothing for
  /// others (made so, with its parents, when `create`).
  private func usableFolder(create: Bool) -> Bool {
    guard let folder else { return false }
    let path = folder.standardizedFileURL.path
    if create {
      var partial = ""
      for part in path.split(separator: "/") {
        partial += "/" + part
        if mkdir(partial, 0o700) != 0, errno != EEXIST { return false }
      }
    }
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { return false }
    if info.st_mode & 0o077 != 0 { return chmod(path, 0o700) == 0 }
    return true
  }
}
