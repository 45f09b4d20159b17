/// Security updates install themselves: unattended-upgrades is installed and
/// apt's periodic job both refreshes the package lists and runs it. A host
/// patched by hand waits for someone to remember.
struct AutomaticUpdatesCheck: Check {
  let id = "host.automatic-updates"
  let title = "Automatic security updates are on (unattended-upgrades)"
  let reference = "OWASP A06:2021 Vulnerable and Outdated Components; ASVS 14.2.1"

  static let install = "apt-get install unattended-upgrades && dpkg-reconfigure -plow unattended-upgrades"
  /// The file `dpkg-reconfigure -plow unattended-upgrades` writes.
  static let ownFile = "/etc/apt/apt.conf.d/20auto-upgrades"

  func run(_ c: AuditContext) -> CheckOutcome {
    DebianHost.check(c) { host in
      guard host.has("unattended-upgrades") else {
        return .failed([
          AuditFinding(
            check: id, severity: .high, message: "unattended-upgrades is not installed: security updates wait for someone to run apt",
            fix: Self.install)
        ])
      }
      let config = AptConfiguration.read(host)
      let found = ["APT::Periodic::Update-Package-Lists", "APT::Periodic::Unattended-Upgrade"].compactMap { name in
        finding(name, config[name])
      }
      return found.isEmpty ? .passed : .failed(found)
    }
  }

  /// A finding when `name` is unset or "0" (apt's value is a period in days; 0 turns the job off).
  private func finding(_ name: String, _ value: AptConfiguration.Value?) -> AuditFinding? {
    guard let value else {
      return AuditFinding(
        check: id, severity: .high, message: "\(name) is not set in /etc/apt: unattended-upgrades never runs",
        fix: "dpkg-reconfigure -plow unattended-upgrades (it writes \(Self.ownFile))")
    }
    guard value.text.isEmpty || value.text == "0" else { return nil }
    let fix =
      value.file == Self.ownFile
      ? "dpkg-reconfigure -plow unattended-upgrades"
      : "set \(name) \"1\"; in \(value.file) (apt reads it after \(Self.ownFile), which dpkg-reconfigure -plow unattended-upgrades writes)"
    return AuditFinding(
      check: id, severity: .high, message: "\(name) is \"\(value.text)\" in \(value.file): unattended-upgrades never runs", fix: fix,
      path: value.file)
  }
}
