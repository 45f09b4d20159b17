/// DEBUG is off where the project is deployed: Django's debug pages show
/// settings, paths and source to anyone who triggers an error.
struct DebugCheck: Check {
  static let djangoID = "security.W018"
  let id = "settings.debug"
  let title = "DEBUG is False (security.W018)"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 14.3.2"

  func run(_ c: AuditContext) -> CheckOutcome {
    SettingsJudgement.combine(c.settingsToCheck.map { judge($0.settings, label: $0.label, c) })
  }

  private func judge(_ settings: SettingsValues, label: String, _ c: AuditContext) -> CheckOutcome {
    guard let entry = settings["DEBUG"] else {
      return settings.files.isEmpty ? .notApplicable("\(label)no settings file to read") : .passed
    }
    switch entry.value {
    case .bool(false): return .passed
    case .bool(true):
      return .failed([
        AuditFinding(
          check: id, severity: .high, message: "\(label)DEBUG = True in \(c.relative(entry.file)): error pages show settings and source",
          fix: "set DEBUG = False for production (djsec init's deploy profile writes it in local_settings.py)",
          path: c.relative(entry.file))
      ])
    default:
      return .notApplicable(
        "\(label)DEBUG in \(c.relative(entry.file)) is not a literal (an environment variable?): Django's own check reads it")
    }
  }
}
