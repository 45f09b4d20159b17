import Foundation

/// Where djsec's shipped files (templates/) are. An installed djsec finds them
/// in `PREFIX/share/djsec/` beside `PREFIX/bin/djsec`; a djsec run from a build
/// folder finds the checkout's `templates/` by walking up from the binary.
public enum Installation {
  public static func templatesFolder(executable: URL = executableURL()) -> URL? {
    let bin = executable.deletingLastPathComponent()
    let installed = bin.deletingLastPathComponent().appendingPathComponent("share/djsec/templates")
    if isFolder(installed) { return installed }
    var folder = bin
    while folder.path != "/" {
      let candidate = folder.appendingPathComponent("templates")
      if isFolder(candidate), FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
        return candidate
      }
      folder = folder.deletingLastPathComponent()
    }
    return nil
  }

  /// A file installed in `PREFIX/share/djsec/` beside `PREFIX/bin/djsec`, if there is one.
  public static func sharedFile(_ name: String, executable: URL = executableURL()) -> URL? {
    let url = executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/djsec/\(name)")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  public static func template(named name: String, executable: URL = executableURL()) throws(TemplateError) -> SettingsTemplate {
    guard let folder = templatesFolder(executable: executable) else {
      throw .notFound(path: "templates/\(name)")
    }
    return try SettingsTemplate.load(folder.appendingPathComponent(name))
  }

  /// The running binary, symlinks resolved (so a symlink in ~/bin still finds share/).
  public static func executableURL() -> URL {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
  }

  private static func isFolder(_ url: URL) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
  }
}
