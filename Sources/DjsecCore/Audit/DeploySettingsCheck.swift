/// The settings `manage.py check --deploy` asks for, read as literals when
/// no Python with Django is at hand to ask Django itself: HTTPS redirects,
/// HSTS, and cookies sent over HTTPS only. Each finding names Django's id.
struct DeploySettingsCheck: Check {
  let id = "settings.deploy"
  let title = "HTTPS, HSTS and secure cookies are on (Django's check --deploy, read statically)"
  let reference = "OWASP A02:2021 Cryptographic Failures; ASVS 9.1.1, 3.4.1"

  /// (setting, Django's id, what it protects).
  static let switches: [(String, String, String)] = [
    ("SECURE_SSL_REDIRECT", "security.W008", "plain-HTTP requests are not redirected to HTTPS"),
    ("SESSION_COOKIE_SECURE", "security.W012", "the session cookie may travel over plain HTTP"),
    ("CSRF_COOKIE_SECURE", "security.W016", "the CSRF cookie may travel over plain HTTP"),
  ]

  func run(_ c: AuditContext) -> CheckOutcome {
    if c.options.python != nil { return .notApplicable("Django's own check --deploy ran instead (settings.django-check)") }
    return SettingsJudgement.combine(c.settingsToCheck.map { judge($0.settings, label: $0.label, c) })
  }

  private func judge(_ settings: SettingsValues, label: String, _ c: AuditContext) -> CheckOutcome {
    guard !settings.files.isEmpty else { return .notApplicable("\(label)no settings file to read") }
    var found: [AuditFinding] = []
    for (name, djangoID, why) in Self.switches {
      switch settings[name]?.value {
      case .bool(true)?, .other?: continue
      default:
        found.append(
          AuditFinding(
            check: id, severity: .medium, message: "\(label)\(name) is not True: \(why) (\(djangoID))",
            fix: "set \(name) = True for production (djsec init's deploy profile does)",
            path: settings[name].map { c.relative($0.file) }))
      }
    }
    switch settings["SECURE_HSTS_SECONDS"]?.value {
    case .integer(let n)? where n > 0: break
    case .other?: break
    default:
      found.append(
        AuditFinding(
          check: id, severity: .medium,
          message: "\(label)SECURE_HSTS_SECONDS is not set: browsers are not told to insist on HTTPS (security.W004)",
          fix: "set SECURE_HSTS_SECONDS (djsec init --hsts short|full writes it)"))
    }
    return found.isEmpty ? .passed : .failed(found)
  }
}
