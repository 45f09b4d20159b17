import Foundation

/// The folders a host's web servers serve files from (nginx `root` and
/// `alias`, Apache `DocumentRoot` and `Alias`), read from `--nginx`,
/// `--apache`, or the usual places under `--root`. The layout checks share
/// it; only the parsers know each server's syntax.
struct ServedFolders: Sendable {
  enum Server: String, Sendable {
    case nginx, apache

    /// The shipped site that serves a public/ folder outside the code.
    var template: String { "templates/\(rawValue)-site.conf" }
    /// The main file in a configuration folder, and where a host keeps it.
    var mainFiles: [String] { self == .nginx ? ["nginx.conf"] : ["apache2.conf", "httpd.conf"] }
    var defaultFile: String { self == .nginx ? "/etc/nginx/nginx.conf" : "/etc/apache2/apache2.conf" }
    /// The directives that serve a folder: the path is their last argument.
    var servingDirectives: Set<String> { self == .nginx ? ["root", "alias"] : ["documentroot", "alias"] }
  }

  struct Folder: Sendable {
    var server: Server
    var directive: ServerDirective
    /// Symbolic links resolved, so it compares with the project's paths.
    var url: URL

    /// `nginx root /srv/x (server > location /)`, for messages.
    var described: String {
      let inside = directive.context.isEmpty ? "" : " (in \(directive.context.joined(separator: " > ")))"
      return "\(server.rawValue) \(directive.name) \(directive.arguments.last ?? "")\(inside)"
    }

    /// Whether `target` is this folder or inside it.
    func contains(_ target: URL) -> Bool { ServedFolders.isInside(target, folder: url) }
  }

  var folders: [Folder] = []
  var problems: [(server: Server, error: WebServerConfigError)] = []

  /// nil when no configuration was given and none is at the usual places.
  static func read(_ c: AuditContext) -> ServedFolders? {
    var inputs: [(Server, URL)] = c.options.nginx.map { (.nginx, $0) } + c.options.apache.map { (.apache, $0) }
    if inputs.isEmpty {
      inputs = [Server.nginx, .apache].map { ($0, c.hostFile($0.defaultFile)) }.filter {
        FileManager.default.fileExists(atPath: $0.1.path)
      }
    }
    guard !inputs.isEmpty else { return nil }
    var out = ServedFolders()
    for (server, input) in inputs {
      for file in mainFiles(server, input) {
        do {
          let config =
            server == .nginx
            ? try NginxConfig.load(file.main, prefix: file.base, hostRoot: c.options.hostRoot)
            : try ApacheConfig.load(file.main, serverRoot: file.base, hostRoot: c.options.hostRoot)
          out.folders += served(config, server: server)
        } catch { out.problems.append((server, error)) }
      }
    }
    return out
  }

  /// A file, or a folder's main file, or else every file in the folder (a
  /// copy of sites-enabled/), each with the folder relative paths start from.
  private static func mainFiles(_ server: Server, _ input: URL) -> [(main: URL, base: URL)] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: input.path, isDirectory: &isDir), isDir.boolValue else {
      return [(input, input.deletingLastPathComponent())]
    }
    if let main = server.mainFiles.map(input.appendingPathComponent).first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
      return [(main, input)]
    }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: input.path)) ?? []).sorted()
    return names.map { input.appendingPathComponent($0) }.filter { !$0.hasDirectoryPath && !isFolder($0) }.map { ($0, input) }
  }

  private static func served(_ config: LoadedConfig, server: Server) -> [Folder] {
    config.directives.compactMap { d in
      guard server.servingDirectives.contains(d.name.lowercased()), let path = d.arguments.last,
        // A path built from variables ($host, ${APACHE_ROOT}) is known only at run time.
        !path.contains("$")
      else { return nil }
      let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : config.base.appendingPathComponent(path)
      return Folder(server: server, directive: d, url: url.standardizedFileURL.resolvingSymlinksInPath())
    }
  }

  /// `target` is `folder` or inside it (both with symbolic links resolved).
  static func isInside(_ target: URL, folder: URL) -> Bool {
    let t = target.standardizedFileURL.resolvingSymlinksInPath().path
    let f = folder.standardizedFileURL.resolvingSymlinksInPath().path
    return t == f || f == "/" || t.hasPrefix(f + "/")
  }

  private static func isFolder(_ url: URL) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
  }
}
