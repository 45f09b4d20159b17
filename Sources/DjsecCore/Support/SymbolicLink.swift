import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Whether a path is itself a symbolic link (lstat, never following it).
/// djsec refuses to read or write its files through one: a link committed to a
/// repository can point anywhere on the machine of whoever clones it.
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
}
