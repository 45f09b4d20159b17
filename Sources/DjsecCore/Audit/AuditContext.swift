import Foundation

/// What `djsec check` is pointed at and how far it may look, from flags.
public struct AuditOptions: Sendable {
  /// A Python with Django for `manage.py check --deploy` (`--python`, or the project's virtualenv).
  public var python: URL?
  /// Web server configuration files or folders (`--nginx`, `--apache`); when
  /// both are empty, the usual places under `hostRoot`/etc are read.
  public var nginx: [URL] = []
  public var apache: [URL] = []
  /// Where the host's files are read from (`--root`, default `/`), so tests
  /// can build a host's state in a folder.
  public var hostRoot = URL(fileURLWithPath: "/")
  /// Run the host checks (Debian and Ubuntu: updates, X server, Lynis).
  public var hostChecks = false
  /// flake8 to run (`--flake8`, or found on PATH).
  public var flake8: URL?

  public init() {}

  /// A file of the host, under `--root`.
  public func hostFile(_ path: String) -> URL {
    hostRoot.appendingPathComponent(String(path.drop { $0 == "/" }))
  }
}

/// The state of one environment's store, as the CLI found it (opening a
/// store needs keys and trust settings the CLI owns).
public struct StoreState: Sendable {
  public var file: URL
  /// Why it did not open (integrity, trust, no key here), or nil when it did.
  public var problem: String?
  /// Whether no key here is a recipient (not a fault of the store).
  public var noKeyHere: Bool

  public init(file: URL, problem: String?, noKeyHere: Bool) {
    self.file = file
    self.problem = problem
    self.noKeyHere = noKeyHere
  }
}

/// Everything the checks read, found once: the project, its settings as
/// literals, the git repository, the stores, the keys in use, the options.
public struct AuditContext: Sendable {
  /// The folder holding manage.py (or the folder given, when there is none).
  public let root: URL
  public let project: DjangoProject?
  public let repository: GitRepository?
  public let settings: SettingsValues
  public let stores: [StoreState]
  public let keys: KeysInUse
  public let options: AuditOptions
  /// The settings of each environment rendered on this machine (its
  /// settings module and the file it renders to).
  public var environments: [(name: String, settings: SettingsValues)] = []
  /// The web servers' served folders (nil: no configuration), read once for both layout checks.
  private(set) var served: ServedFolders?
  /// The host the host checks read, opened once for all three.
  private(set) var host: Result<DebianHost, DebianHost.Reason> = .failure(.init("not read"))

  /// The settings the settings checks judge, each with the label its
  /// findings carry: each environment rendered here (labelled when there are
  /// several), else the project's own.
  var settingsToCheck: [(label: String, settings: SettingsValues)] {
    switch environments.count {
    case 0: [("", settings)]
    case 1: [("", environments[0].settings)]
    default: environments.map { ("environment \($0.name): ", $0.settings) }
    }
  }

  public init(
    root: URL, project: DjangoProject?, repository: GitRepository?, settings: SettingsValues, stores: [StoreState],
    keys: KeysInUse, options: AuditOptions
  ) {
    self.root = root
    self.project = project
    self.repository = repository
    self.settings = settings
    self.stores = stores
    self.keys = keys
    self.options = options
    served = ServedFolders.read(self)
    host = DebianHost.open(options)
  }

  /// `url` relative to the project root when inside it, for messages.
  public func relative(_ url: URL) -> String { relativePath(url, from: root) }

  /// A file of the host, under `--root`.
  public func hostFile(_ path: String) -> URL { options.hostFile(path) }
}

/// The settings a project runs with, as far as reading literals tells:
/// settings.py, then local_settings.py (imported last, so it wins).
public struct SettingsValues: Sendable {
  public struct Entry: Sendable, Equatable {
    public var value: PythonAssignments.Value
    public var file: URL
  }

  public private(set) var entries: [String: Entry] = [:]
  /// The files read, in order.
  public private(set) var files: [URL] = []

  public init() {}

  public static func read(_ project: DjangoProject) -> SettingsValues {
    var values = SettingsValues()
    for file in [project.settingsFile, project.localSettingsFile] { values.add(file) }
    return values
  }

  public mutating func add(_ file: URL) {
    guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8),
      let parsed = PythonAssignments.parse(text)
    else { return }
    files.append(file)
    for name in parsed.names { entries[name] = Entry(value: parsed.values[name] ?? .other, file: file) }
  }

  public subscript(name: String) -> Entry? { entries[name] }
}

/// One check's verdicts over several environments' settings, as one outcome:
/// every finding; passed when none failed and one passed; else the reasons
/// none applied.
enum SettingsJudgement {
  static func combine(_ outcomes: [CheckOutcome]) -> CheckOutcome {
    var found: [AuditFinding] = []
    var reasons: [String] = []
    var passed = false
    for outcome in outcomes {
      switch outcome {
      case .failed(let f): found += f
      case .passed: passed = true
      case .notApplicable(let why): reasons.append(why)
      }
    }
    if !found.isEmpty { return .failed(found) }
    return passed ? .passed : .notApplicable(reasons.joined(separator: "; "))
  }
}
