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
}

extension FileError: DjsecError {
  public var message: String {
    switch self {
    case .cannotWrite(let path, let code): "cannot write \(path): \(String(cString: strerror(code)))"
    case .cannotRead(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
    }
  }

  public var hint: String? {
    switch self {
    case .cannotWrite: "check that the folder exists and that you may write to it"
    case .cannotRead: "check that the file exists and that you may read it"
    }
  }
}

/// Crash-safe file replacement: the data goes to a temporary file in the same
/// folder (so `rename` cannot cross file systems), is fsynced, gets its final
/// mode before it has a visible name, is renamed over the target, and then the
/// folder is fsynced so the rename itself survives a power cut. A reader sees
/// either the old file or the new one, never a half-written one.
public enum AtomicFile {
  public static func write(_ data: Data, to url: URL, mode: mode_t) throws(FileError) {
    let path = url.path
    let folder = url.deletingLastPathComponent().path
    var template = Array("\(folder)/.\(url.lastPathComponent).djsec-XXXXXX".utf8CString)
    // mkstemp creates the file 0600 and exclusively: nobody else can open it first.
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw .cannotWrite(path: path, errno: errno) }
    let tempPath = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var committed = false
    defer {
      if !committed { unlink(tempPath) }
    }
    let written = data.withUnsafeBytes { raw -> Int in
      var offset = 0
      while offset < raw.count {
        let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          return -1
        }
        offset += n
      }
      return offset
    }
    let failure: Int32? =
      written != data.count ? errno : (fchmod(fd, mode) != 0 || fsync(fd) != 0) ? errno : nil
    close(fd)
    if let failure { throw .cannotWrite(path: path, errno: failure) }
    guard rename(tempPath, path) == 0 else { throw .cannotWrite(path: path, errno: errno) }
    committed = true
    let dirFD = open(folder, O_RDONLY | O_DIRECTORY)
    if dirFD >= 0 {
      fsync(dirFD)
      close(dirFD)
    }
  }

  public static func write(_ text: String, to url: URL, mode: mode_t) throws(FileError) {
    try write(Data(text.utf8), to: url, mode: mode)
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
