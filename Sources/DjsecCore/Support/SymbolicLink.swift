import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Symbolic links among the files djsec reads and writes.
///
/// A project file others can commit (.gitignore, settings.py) is never read
/// or replaced through a link: a committed `.gitignore -> ../.aws/credentials`
/// would have its target copied into the repository (SecretFileGuard refuses
/// them, `isLink`). A file the user linked on their own machine
/// (local_settings.py -> /etc/app/local_settings.py, a store shared between
/// two checkouts) is written where the link points: replacing the link with a
/// regular file would leave two copies that drift apart (`resolved`).
public enum SymbolicLink {
  public static func isLink(_ url: URL) -> Bool {
    var info = stat()
    return lstat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
  }

  /// Whether anything, even a dangling link, is at the path.
  public static func exists(_ url: URL) -> Bool {
    var info = stat()
    return lstat(url.path, &info) == 0
  }

  /// The file a write to `url` lands on: every link along the path followed
  /// (realpath), so a caller resolves once and then checks, locks and writes
  /// that one file. A path where nothing is yet resolves through its folder
  /// (the file is created there); a folder that does not exist leaves the
  /// path as it is, for the write to fail on. A link whose target does not
  /// exist is refused: djsec would otherwise create a file wherever the link
  /// points, or replace the link.
  public static func resolved(_ url: URL) throws(FileError) -> URL {
    let path = url.standardizedFileURL.path
    if let real = realPath(path) { return URL(fileURLWithPath: real) }
    let failure = errno
    var info = stat()
    if lstat(path, &info) == 0 {
      if info.st_mode & S_IFMT == S_IFLNK, failure == ENOENT {
        throw .danglingLink(path: path, target: destination(of: path) ?? "?")
      }
      throw .cannotRead(path: path, errno: failure)
    }
    // Nothing there yet: the file will be made in the folder's real place.
    let folder = url.standardizedFileURL.deletingLastPathComponent().path
    guard let real = realPath(folder) else { return url.standardizedFileURL }
    return URL(fileURLWithPath: real).appendingPathComponent(url.lastPathComponent)
  }

  /// What the link at `path` holds, unresolved.
  public static func destination(of path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buffer, buffer.count - 1)
    guard n >= 0 else { return nil }
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  private static func realPath(_ path: String) -> String? {
    guard let real = realpath(path, nil) else { return nil }
    defer { free(real) }
    return String(cString: real)
  }
}
