import Foundation

/// The project's code sits outside every folder the web server serves:
/// a `root` or `DocumentRoot` that holds manage.py's folder hands out
/// local_settings.py (the SECRET_KEY), the keys, the store and `.git` to
/// anyone who asks for them by name. The checklist's rule: keep the code at
/// least one level above the document root.
struct DocumentRootCheck: Check {
  let id = "layout.document-root"
  let title = "No web server root or alias serves the project's code"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 4.0 12.5.1"

  /// What a served folder must not hold, and whether handing it out gives the secrets away.
  struct Target {
    var label: String
    var url: URL
    var secret: Bool
  }

  func targets(_ c: AuditContext) -> [Target] {
    let exists = { (url: URL) in FileManager.default.fileExists(atPath: url.path) }
    var list = [Target(label: "manage.py's folder", url: c.root, secret: false)]
    if let project = c.project {
      list.append(Target(label: "the settings module (\(c.relative(project.settingsFolder))/)", url: project.settingsFolder, secret: false))
      if exists(project.localSettingsFile) {
        list.append(Target(label: c.relative(project.localSettingsFile), url: project.localSettingsFile, secret: true))
      }
    }
    let keys = c.root.appendingPathComponent("keys")
    if exists(keys) { list.append(Target(label: "keys/", url: keys, secret: true)) }
    for store in c.stores where exists(store.file) {
      list.append(Target(label: c.relative(store.file), url: store.file, secret: true))
    }
    let git = (c.repository?.root ?? c.root).appendingPathComponent(".git")
    if exists(git) { list.append(Target(label: ".git", url: git, secret: false)) }
    return list
  }

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let served = c.served else {
      return .notApplicable("no web server configuration (--nginx, --apache, or /etc/nginx/nginx.conf, /etc/apache2/apache2.conf)")
    }
    let targets = targets(c)
    var found = served.problems.map { problem in
      AuditFinding(
        check: id, severity: .medium, message: "cannot read the \(problem.server.rawValue) configuration: \(problem.error.message)",
        fix: (problem.error.hint ?? "") + "; until then djsec cannot tell what it serves", path: nil)
    }
    for folder in served.folders {
      let exposed = targets.filter { folder.contains($0.url) }
      guard !exposed.isEmpty else { continue }
      let secret = exposed.contains { $0.secret }
      found.append(
        AuditFinding(
          check: id, severity: secret ? .critical : .high,
          message: "\(folder.described) serves the project's code: \(exposed.map(\.label).joined(separator: ", "))",
          fix: "serve a public/ folder outside the code: see \(folder.server.template) ('djsec init --web-root DIR' prepares one)",
          path: c.relative(folder.directive.file), line: folder.directive.line))
    }
    return found.isEmpty ? .passed : .failed(found)
  }
}
