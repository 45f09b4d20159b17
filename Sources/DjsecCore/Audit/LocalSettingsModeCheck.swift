import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// local_settings.py is readable by its owner only (0600): on a shared host
/// every other account could otherwise read the SECRET_KEY.
struct LocalSettingsModeCheck: Check {
  let id = "secrets.local-settings-mode"
  let title = "local_settings.py is readable by its owner only (mode 0600)"
  let reference = "OWASP A01:2021 Broken Access Control; ASVS 14.3"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let file = c.project?.localSettingsFile, let mode = FileMode.of(file) else {
      return .notApplicable("no local_settings.py")
    }
    guard mode & 0o077 != 0 else { return .passed }
    let shown = c.relative(file)
    return .failed([
      AuditFinding(
        check: id, severity: .high,
        message: "\(shown) has mode \(String(mode, radix: 8)): other accounts on this host can read its secrets",
        fix: "chmod 600 \(shown)", path: shown)
    ])
  }
}

/// A file's permission bits and owner, without following a link.
enum FileMode {
  static func of(_ url: URL) -> mode_t? { status(url).map { $0.st_mode & 0o7777 } }

  static func owner(_ url: URL) -> uid_t? { status(url)?.st_uid }

  private static func status(_ url: URL) -> stat? {
    var info = stat()
    return lstat(url.path, &info) == 0 ? info : nil
  }
}
