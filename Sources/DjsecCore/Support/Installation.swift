import Foundation

/// Where djsec's shipped files (templates/, rules) are: compiled into the
/// binary (EmbeddedFiles), so a djsec copied anywhere runs; files in
/// `PREFIX/share/djsec/` beside `PREFIX/bin/djsec` override them.
public enum Installation {
  /// A file installed in `PREFIX/share/djsec/` beside `PREFIX/bin/djsec`, if there is one.
  public static func sharedFile(_ name: String, executable: URL = executableURL()) -> URL? {
    let url = executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/djsec/\(name)")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  /// A shipped template: `PREFIX/share/djsec/templates/NAME` beside an
  /// installed djsec overrides the one compiled in (EmbeddedFiles).
  public static func template(named name: String, executable: URL = executableURL()) throws(TemplateError) -> SettingsTemplate {
    if let folder = sharedFile("templates", executable: executable) {
      let url = folder.appendingPathComponent(name)
      if FileManager.default.fileExists(atPath: url.path) { return try SettingsTemplate.load(url) }
    }
    guard let text = embeddedTemplate(name) else { throw .notFound(path: "templates/\(name)") }
    return SettingsTemplate(name: name, text: text)
  }

  /// A template's text as compiled in.
  public static func embeddedTemplate(_ name: String) -> String? {
    EmbeddedFiles.templates.first { $0.name == name }?.text
  }

  /// The running binary, symlinks resolved (so a symlink in ~/bin still finds share/).
  public static func executableURL() -> URL {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
  }
}
