/// ALLOWED_HOSTS names the project's hosts: `*` lets any Host header
/// through (cache poisoning, password-reset links to an attacker's host).
struct AllowedHostsCheck: Check {
  static let djangoID = "security.W020"
  let id = "settings.allowed-hosts"
  let title = "ALLOWED_HOSTS names the hosts, without a wildcard (security.W020)"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 14.5.1"

  func run(_ c: AuditContext) -> CheckOutcome {
    SettingsJudgement.combine(c.settingsToCheck.map { judge($0.settings, label: $0.label, c) })
  }

  private func judge(_ settings: SettingsValues, label: String, _ c: AuditContext) -> CheckOutcome {
    guard let entry = settings["ALLOWED_HOSTS"] else {
      return settings.files.isEmpty
        ? .notApplicable("\(label)no settings file to read")
        : .failed([finding(c, "\(label)ALLOWED_HOSTS is not set: Django refuses every request once DEBUG is off", nil)])
    }
    let file = c.relative(entry.file)
    guard case .strings(let hosts) = entry.value else {
      return .notApplicable("\(label)ALLOWED_HOSTS in \(file) is not a list of literals: Django's own check reads it")
    }
    if hosts.contains("*") {
      return .failed([
        AuditFinding(
          check: id, severity: .high, message: "\(label)ALLOWED_HOSTS in \(file) contains '*': any Host header is accepted",
          fix: "list the project's host names ('djsec init --host example.com' writes them)", path: file)
      ])
    }
    if hosts.isEmpty, case .bool(false)? = settings["DEBUG"]?.value {
      return .failed([finding(c, "\(label)ALLOWED_HOSTS in \(file) is empty with DEBUG off: every request is refused", entry)])
    }
    return hosts.isEmpty ? .failed([finding(c, "\(label)ALLOWED_HOSTS in \(file) is empty", entry)]) : .passed
  }

  private func finding(_ c: AuditContext, _ message: String, _ entry: SettingsValues.Entry?) -> AuditFinding {
    AuditFinding(
      check: id, severity: .medium, message: message, fix: "list the project's host names ('djsec init --host example.com' writes them)",
      path: entry.map { c.relative($0.file) })
  }
}
