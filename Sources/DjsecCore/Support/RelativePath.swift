import Foundation

/// `url`'s path below `base` (or the whole path when it is not below it), for messages.
public func relativePath(_ url: URL, from base: URL) -> String {
  let path = url.standardizedFileURL.path
  let prefix = base.standardizedFileURL.path + "/"
  return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
