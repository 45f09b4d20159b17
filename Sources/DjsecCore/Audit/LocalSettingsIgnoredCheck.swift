import Foundation

/// local_settings.py is ignored by git and not tracked: a file git tracks
/// is committed with its secrets on the next `git commit -a`.
struct LocalSettingsIgnoredCheck: Check {
  let id = "secrets.local-settings-ignored"
  let title = "local_settings.py is ignored by git and not tracked"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 2.10.4"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let file = c.project?.localSettingsFile, FileManager.default.fileExists(atPath: file.path) else {
      return .notApplicable("no local_settings.py")
    }
    guard c.repository != nil else { return .notApplicable("\(c.root.path) is not in a git repository") }
    let shown = c.relative(file)
    if Git.isTracked(file) {
      return .failed([
        AuditFinding(
          check: id, severity: .critical, message: "git tracks \(shown): its secrets are committed",
          fix: "git rm --cached \(shown), then 'djsec init' adds the ignore rule; rotate what it held ('djsec rotate secret-key')",
          path: shown)
      ])
    }
    if !Git.isIgnored(file) {
      return .failed([
        AuditFinding(
          check: id, severity: .high, message: "git does not ignore \(shown): 'git add -A' would commit it",
          fix: "run 'djsec init' (it adds the rule to .gitignore), or add /\(shown) to .gitignore", path: shown)
      ])
    }
    return .passed
  }
}
