import ArgumentParser
import DjsecCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension Djsec {
  struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Audit a Django project, its web server and its host against the deployment checklist, with a fix for each finding.",
      discussion: """
        Checks the secrets (local_settings.py, keys, stores, the SECRET_KEY and its history), the settings (DEBUG, \
        ALLOWED_HOSTS, Django's check --deploy), the web server's document roots, the host (--host-checks) and the code \
        (flake8). Each check id has a page in docs/checks/. \
        Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 djsec could not run.
        """)

    @Argument(help: "The project (the folder holding manage.py; default: the current folder).")
    var directory = "."

    @Option(
      help: ArgumentHelp("Output format: \(AuditReporters.identifiers.joined(separator: ", ")).", valueName: "format"),
      completion: .list(AuditReporters.identifiers))
    var format = "text"

    @Option(name: .customLong("report"), help: "Write the report to this file instead of stdout.")
    var reportPath: String?

    @Option(help: ArgumentHelp("Fail (exit 1) on findings of this severity or above (default high).", valueName: "severity"))
    var failOn: Rule.Severity = .high

    @Option(
      help: ArgumentHelp("A Python with Django, to run manage.py check --deploy (default: the project's virtualenv).", valueName: "path"))
    var python: String?

    @Option(help: ArgumentHelp("An nginx configuration file or folder (repeatable; default: /etc/nginx).", valueName: "path"))
    var nginx: [String] = []

    @Option(help: ArgumentHelp("An Apache configuration file or folder (repeatable; default: /etc/apache2).", valueName: "path"))
    var apache: [String] = []

    @Flag(help: "Also check the host: automatic security updates, no X server, Lynis scheduled (Debian and Ubuntu).")
    var hostChecks = false

    @Option(help: ArgumentHelp("Read the host's files under this folder instead of /.", valueName: "dir"))
    var root = "/"

    @Option(help: ArgumentHelp("flake8 to run over the code (default: the virtualenv's, else flake8 on PATH).", valueName: "path"))
    var flake8: String?

    func validate() throws {
      guard AuditReporters.named(format) != nil else {
        throw ValidationError("unknown format \(format) for check: use \(AuditReporters.identifiers.joined(separator: ", "))")
      }
      if let python, !FileManager.default.isExecutableFile(atPath: python) {
        throw ValidationError("--python \(python) is not an executable file")
      }
      for path in nginx + apache + [root] + (flake8.map { [$0] } ?? []) where !FileManager.default.fileExists(atPath: path) {
        throw ValidationError("\(path) does not exist")
      }
    }

    func run() throws {
      let start = URL(fileURLWithPath: directory, relativeTo: Djsec.currentFolder).standardizedFileURL
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: start.path, isDirectory: &isFolder), isFolder.boolValue else {
        throw ValidationError("\(directory) is not a folder")
      }
      let ws = try Workspace.find(from: start, variables: Djsec.environment)
      let project = ws.isDjangoProject ? try? DjangoProject.locate(root: ws.root) : nil
      var options = AuditOptions()
      let environment = ProcessInfo.processInfo.environment
      options.python = python.map { URL(fileURLWithPath: $0) } ?? ProjectPython.find(root: ws.root, environment: environment)
      options.nginx = nginx.map { URL(fileURLWithPath: $0) }
      options.apache = apache.map { URL(fileURLWithPath: $0) }
      options.hostRoot = URL(fileURLWithPath: root)
      options.hostChecks = hostChecks
      options.flake8 =
        flake8.map { URL(fileURLWithPath: $0) } ?? ProjectPython.tool("flake8", beside: options.python, searchPath: environment["PATH"])
      // Each store is opened once, for the store check, the keys in use and each environment's settings.
      let stores = QuietStores(ws)
      var context = AuditContext(
        root: ws.root, project: project, repository: try? GitRepository.open(ws.root),
        settings: project.map(SettingsValues.read) ?? SettingsValues(), stores: Self.storeStates(stores),
        keys: stores.keysInUse(), options: options)
      context.environments = Self.environmentSettings(stores, project: project)
      let result = Audit.run(context)
      let reporter = AuditReporters.named(format)!
      let color = isatty(1) != 0 && reportPath == nil && Djsec.Scan.colorAllowed && format == "text"
      let text = reporter.render(result, options: ReportOptions(color: color))
      if let reportPath {
        try AtomicFile.write(text, to: URL(fileURLWithPath: reportPath), mode: 0o644)
        let n = result.findings.count
        Diagnostics.note(
          (n == 0 ? "no problems found" : "\(n) problem\(n == 1 ? "" : "s") found") + "; \(format) report written to \(reportPath)")
      } else {
        print(text, terminator: "")
      }
      if result.findings.contains(where: { $0.severity >= failOn }) { throw ExitCode(1) }
    }

    /// The settings of each environment rendered on this machine: its
    /// settings module (the store's `settings`, else manage.py's) and the
    /// file it renders to. An environment rendered elsewhere is judged where
    /// it runs: here its file is absent or holds another environment.
    static func environmentSettings(_ stores: QuietStores, project: DjangoProject?) -> [(name: String, settings: SettingsValues)] {
      let ws = stores.workspace
      return ws.environments().compactMap { env in
        let status = EnvironmentStatus(ws, environment: env) { url in
          guard let opened = stores.open(url) else { throw StoreError.storeNotFound(path: url.path) }
          return try opened.get()
        }
        guard let target = status.target, [.inStep, .behind, .unknown].contains(status.deployment) else { return nil }
        var values = SettingsValues()
        if let file = status.summary.settings.map({ ws.resolve($0) }) ?? project?.settingsFile { values.add(file) }
        values.add(target)
        return (env.rawValue, values)
      }
    }

    /// Each environment's store as it opens here (never prompting).
    static func storeStates(_ stores: QuietStores) -> [StoreState] {
      let ws = stores.workspace
      return ws.environments().map { env in
        let file = ws.root.appendingPathComponent(env.storeFileName)
        switch stores.open(file) {
        case nil: return StoreState(file: file, problem: "the trust settings (DJSEC_TRUSTED_KEYS) are invalid", noKeyHere: false)
        case .success: return StoreState(file: file, problem: nil, noKeyHere: false)
        case .failure(let error):
          let noKey: Bool
          switch error {
          case .noKeyOpens, .key(.noPassphrase): noKey = true
          default: noKey = false
          }
          return StoreState(file: file, problem: error.message, noKeyHere: noKey)
        }
      }
    }
  }
}
