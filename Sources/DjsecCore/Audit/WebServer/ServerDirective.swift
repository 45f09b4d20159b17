import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One directive of a web server's configuration, with where it was written,
/// so a finding can send the reader to the very line. Both parsers
/// (NginxConfig, ApacheConfig) return these; only the parsers know the syntax.
public struct ServerDirective: Sendable, Equatable {
  public var name: String
  /// Unquoted, escapes resolved.
  public var arguments: [String]
  public var file: URL
  public var line: Int
  /// The blocks or sections it sits in, outermost first (`http`, `server`,
  /// `location`; `VirtualHost`), for messages.
  public var context: [String]

  public init(name: String, arguments: [String], file: URL, line: Int, context: [String] = []) {
    self.name = name
    self.arguments = arguments
    self.file = file
    self.line = line
    self.context = context
  }
}

/// A configuration read with its includes: the directives in the order the
/// server reads them, and the folder relative paths are taken from
/// (nginx's prefix, Apache's ServerRoot).
public struct LoadedConfig: Sendable, Equatable {
  public var directives: [ServerDirective]
  public var base: URL
}

/// Following `include` lines, shared by both servers: glob expansion, the
/// host root that absolute paths are read under (`--root`), and the guard
/// against a file that includes itself (directly or through others), which
/// would otherwise never end.
struct IncludeWalker {
  /// Where absolute paths of the configuration are read from (`/`, or a test's folder).
  let hostRoot: URL
  /// Files being read, outermost first.
  private(set) var stack: [String] = []
  /// The deepest nesting followed: deeper than real configurations go, short of a stack overflow.
  static let maxDepth = 32

  init(hostRoot: URL) { self.hostRoot = hostRoot }

  /// `path` as read on this machine: relative to `base`, absolute ones under the host root.
  func resolve(_ path: String, base: URL) -> URL {
    guard path.hasPrefix("/") else { return base.appendingPathComponent(path).standardizedFileURL }
    return hostRoot.appendingPathComponent(String(path.drop { $0 == "/" })).standardizedFileURL
  }

  /// The files a pattern names, sorted (as both servers read them); a folder
  /// stands for the files in it when `folders` (Apache), never its subfolders.
  func expand(_ pattern: URL, folders: Bool) -> [URL] {
    let hasGlob = pattern.path.contains { "*?[".contains($0) }
    var paths: [String] = []
    if hasGlob {
      var result = glob_t()
      defer { globfree(&result) }
      if glob(pattern.path, 0, nil, &result) == 0 {
        for i in 0..<Int(result.gl_pathc) { if let p = result.gl_pathv[i] { paths.append(String(cString: p)) } }
      }
    } else if FileManager.default.fileExists(atPath: pattern.path) {
      paths = [pattern.path]
    }
    return paths.sorted().flatMap { path -> [URL] in
      guard isFolder(URL(fileURLWithPath: path)) else { return [URL(fileURLWithPath: path)] }
      guard folders else { return [] }
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
      return names.map { URL(fileURLWithPath: path).appendingPathComponent($0) }.filter { !isFolder($0) }
    }
  }

  /// Enters `file`; throws on a loop or runaway nesting, `at` naming the include line.
  mutating func enter(_ file: URL, from: ServerDirective?) throws(WebServerConfigError) {
    let key = file.resolvingSymlinksInPath().path
    if stack.contains(key) || stack.count >= Self.maxDepth {
      throw .includeLoop(file: from?.file.path ?? file.path, line: from?.line ?? 0, included: file.path)
    }
    stack.append(key)
  }

  mutating func leave() { stack.removeLast() }

  /// The text of a configuration file (not valid UTF-8 is read as Latin-1: servers read bytes).
  static func read(_ file: URL) throws(WebServerConfigError) -> String {
    guard let data = FileManager.default.contents(atPath: file.path) else { throw .unreadable(file: file.path) }
    return String(data: data, encoding: .utf8) ?? String(decoding: data, as: UTF8.self)
  }

  private func isFolder(_ url: URL) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
  }
}
