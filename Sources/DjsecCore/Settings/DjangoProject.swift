import Foundation

/// A Django project on disk: the folder holding manage.py and its settings module.
public struct DjangoProject: Sendable {
  public let root: URL
  /// `settings.py`, or `settings/__init__.py` for a settings package.
  public let settingsFile: URL
  /// The folder `local_settings.py` goes in: the settings module's package.
  public var settingsFolder: URL { settingsFile.deletingLastPathComponent() }
  /// local_settings.py beside a `settings.py` (or in a settings package);
  /// beside any other settings module, `local_settings_<module>.py`: with
  /// split settings, production.py and local.py each load their own file, so
  /// one machine's development settings never reach production's module.
  public var localSettingsFile: URL { settingsFolder.appendingPathComponent(Self.localSettingsName(for: settingsFile)) }

  static func localSettingsName(for settingsFile: URL) -> String {
    let stem = settingsFile.deletingPathExtension().lastPathComponent
    return stem == "settings" || stem == "__init__" ? "local_settings.py" : "local_settings_\(stem).py"
  }

  /// The module name the settings hook imports (local_settings.py's stem).
  public var localModuleName: String { localSettingsFile.deletingPathExtension().lastPathComponent }

  /// Finds manage.py in `root` and the settings module it names in
  /// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")`; `settingsOverride`
  /// (a path to settings.py) wins over what manage.py says.
  public static func locate(root: URL, settingsOverride: URL? = nil) throws(ProjectError) -> DjangoProject {
    let root = root.standardizedFileURL
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
      throw .notAFolder(path: root.path)
    }
    let manage = root.appendingPathComponent("manage.py")
    guard let source = FileManager.default.contents(atPath: manage.path) else {
      throw .notDjangoProject(path: root.path)
    }
    if let settingsOverride {
      let file = settingsOverride.standardizedFileURL
      guard FileManager.default.fileExists(atPath: file.path) else { throw .settingsNotFound(module: nil, path: file.path) }
      return DjangoProject(root: root, settingsFile: file)
    }
    guard let module = settingsModule(inManagePy: String(decoding: source, as: UTF8.self)) else {
      throw .settingsModuleUnknown(managePy: manage.path)
    }
    let parts = module.split(separator: ".").map(String.init)
    // A src/ layout puts the package under src/ (manage.py adds it to sys.path).
    for base in [root, root.appendingPathComponent("src")] {
      let asFile = parts.dropLast().reduce(base) { $0.appendingPathComponent($1) }.appendingPathComponent(parts.last! + ".py")
      let asPackage = parts.reduce(base) { $0.appendingPathComponent($1) }.appendingPathComponent("__init__.py")
      for candidate in [asFile, asPackage] where FileManager.default.fileExists(atPath: candidate.path) {
        return DjangoProject(root: root, settingsFile: candidate)
      }
    }
    let expected = parts.dropLast().reduce(root) { $0.appendingPathComponent($1) }.appendingPathComponent(parts.last! + ".py")
    throw .settingsNotFound(module: module, path: expected.path)
  }

  /// The dotted module name manage.py sets as DJANGO_SETTINGS_MODULE's default.
  static func settingsModule(inManagePy source: String) -> String? {
    guard let key = source.range(of: "DJANGO_SETTINGS_MODULE") else { return nil }
    var rest = source[key.upperBound...]
    // Skip the closing quote of the key, the comma and spaces, then read a quoted dotted name.
    if rest.first == "\"" || rest.first == "'" { rest = rest.dropFirst() }
    rest = rest.drop(while: { $0 == "," || $0.isWhitespace })
    guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
    let name = rest.dropFirst().prefix(while: { $0 != quote })
    let valid = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    return valid ? String(name) : nil
  }
}

public enum ProjectError: Error, Equatable, Sendable {
  case notAFolder(path: String)
  case notDjangoProject(path: String)
  case settingsModuleUnknown(managePy: String)
  case settingsNotFound(module: String?, path: String)
}

extension ProjectError: DjsecError {
  public var message: String {
    switch self {
    case .notAFolder(let p): "\(p) is not a folder"
    case .notDjangoProject(let p): "\(p) is not a Django project: it has no manage.py"
    case .settingsModuleUnknown(let p): "\(p) does not set DJANGO_SETTINGS_MODULE"
    case .settingsNotFound(let m, let p):
      m.map { "settings module \($0) not found at \(p)" } ?? "settings file \(p) not found"
    }
  }

  public var hint: String? {
    switch self {
    case .notAFolder, .notDjangoProject: "run djsec in the folder that holds manage.py, or pass it: djsec init PATH"
    case .settingsModuleUnknown, .settingsNotFound: "pass the settings file: --settings PATH/settings.py"
    }
  }
}
