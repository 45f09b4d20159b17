import Foundation

/// The SECRET_KEY and the other secrets live in local_settings.py, written
/// by djsec and kept out of git, not in the settings module everyone commits.
struct LocalSettingsPresentCheck: Check {
  let id = "secrets.local-settings-present"
  let title = "Secrets live in local_settings.py, not in the committed settings module"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 2.10.4"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let project = c.project else { return .notApplicable("no manage.py in \(c.root.path)") }
    let file = project.localSettingsFile
    if FileManager.default.fileExists(atPath: file.path) { return .passed }
    return .failed([
      AuditFinding(
        check: id, severity: .high,
        message: "\(c.relative(file)) does not exist: the SECRET_KEY is in the committed settings, or nowhere",
        fix: c.stores.isEmpty
          ? "run 'djsec init' to move the key out of settings.py into local_settings.py"
          : "run 'djsec render' to write it from the store",
        path: c.relative(file))
    ])
  }
}
