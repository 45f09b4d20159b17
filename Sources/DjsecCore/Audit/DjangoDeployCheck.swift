import Foundation

/// Django's own `manage.py check --deploy`, run with the project's Python
/// (`--python`, or its virtualenv), its findings reported under Django's
/// ids (security.W004…): Django knows its settings better than any reading
/// of them, including values computed at import time.
struct DjangoDeployCheck: Check {
  let id = "settings.django-check"
  let title = "Django's manage.py check --deploy is clean"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 14.1"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let python = c.options.python else {
      return .notApplicable("no Python with Django found (--python PATH, or a .venv beside manage.py)")
    }
    guard c.project != nil else { return .notApplicable("no manage.py in \(c.root.path)") }
    guard let output = ProjectTool.run(python, ["manage.py", "check", "--deploy"], in: c.root, mergingErrors: true) else {
      return .notApplicable("\(python.path) does not run")
    }
    let text = output.stdout
    if text.contains("No module named 'django'") || text.contains("Couldn't import Django") {
      return .notApplicable("\(python.path) has no Django")
    }
    let found = Self.parse(text)
    if found.isEmpty, output.status != 0 {
      let last = text.split(separator: "\n").last.map(String.init) ?? "exit \(output.status)"
      return .failed([
        AuditFinding(
          check: id, severity: .high, message: "manage.py check --deploy failed: \(last)",
          fix: "run '\(python.path) manage.py check --deploy' in \(c.root.path) and fix what it says")
      ])
    }
    return found.isEmpty ? .passed : .failed(found)
  }

  /// `?: (security.W004) You have not set …` and the `HINT:` line after it.
  static func parse(_ text: String) -> [AuditFinding] {
    var found: [AuditFinding] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("HINT:"), !found.isEmpty {
        found[found.count - 1].fix = String(trimmed.dropFirst(5)).trimmingCharacters(in: .whitespaces)
        continue
      }
      guard let open = line.range(of: ": ("), let close = line.range(of: ") ", range: open.upperBound..<line.endIndex) else {
        continue
      }
      let djangoID = String(line[open.upperBound..<close.lowerBound])
      guard djangoID.contains("."), !djangoID.contains(" ") else { continue }
      let kind = djangoID.split(separator: ".").last?.first
      let severity: Rule.Severity = kind == "E" || kind == "C" ? .high : .medium
      found.append(
        AuditFinding(
          check: djangoID, severity: severity, message: String(line[close.upperBound...]),
          fix: "see Django's deployment checklist for \(djangoID)"))
    }
    return found
  }
}

/// The project's Python, found the usual ways: an active virtualenv, then a
/// `.venv`, `venv` or `env` beside manage.py or one folder up, never one
/// that git tracks. `djsec check` runs the project's code through it
/// (manage.py imports the settings): that is what Django's own check is.
public enum ProjectPython {
  public static func find(root: URL, environment: [String: String]) -> URL? {
    var candidates: [URL] = []
    if let active = environment["VIRTUAL_ENV"], !active.isEmpty { candidates.append(URL(fileURLWithPath: active)) }
    for folder in [root, root.deletingLastPathComponent()] {
      for name in [".venv", "venv", "env"] { candidates.append(folder.appendingPathComponent(name)) }
    }
    // A virtualenv git tracks came with the repository, not from this
    // machine: running it would run whatever a pusher committed (an
    // auditor's `djsec check` of someone's repository). Only `--python` names one.
    return candidates.map { $0.appendingPathComponent("bin/python") }.first {
      FileManager.default.isExecutableFile(atPath: $0.path) && !Git.isTracked($0)
        && !Git.isTracked($0.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pyvenv.cfg"))
    }
  }
}
