import Foundation

/// Lynis audits the host every day: installed, and run by cron or an
/// enabled systemd timer. A hardening that nobody re-checks drifts.
struct LynisCheck: Check {
  let id = "host.lynis"
  let title = "Lynis is installed and audits the host daily"
  let reference = "OWASP A05:2021 Security Misconfiguration (an automated process to verify the configuration)"

  static let programs = ["/usr/sbin/lynis", "/usr/bin/lynis", "/usr/local/sbin/lynis", "/usr/local/bin/lynis"]
  /// The packages that run cron jobs (the virtual `cron-daemon` where a package provides it).
  static let cronDaemons = ["cron", "cronie", "bcron", "systemd-cron", "cron-daemon"]

  func run(_ c: AuditContext) -> CheckOutcome {
    DebianHost.check(c) { host in
      let program = Self.programs.first { FileManager.default.isExecutableFile(atPath: host.file($0).path) }
      guard host.has("lynis") || program != nil else {
        return .failed([
          AuditFinding(
            check: id, severity: .medium, message: "Lynis is not installed: nothing audits the host's hardening",
            fix: "apt-get install lynis, then schedule it: \(fix(host))")
        ])
      }
      let hasCron = Self.cronDaemons.contains(where: host.has)
      let entries = HostSchedule.entries(host, running: "lynis")
      if entries.contains(where: { $0.daily && (hasCron || !$0.cron) }) { return .passed }
      var message = "Lynis is installed but not scheduled daily"
      if let idle = entries.first(where: { $0.daily && $0.cron }) {
        message += ": \(idle.place) runs it, but no cron daemon is installed"
      } else if let rare = entries.first {
        message += ": \(rare.place) runs it less often"
      } else {
        message += ": no cron entry or enabled systemd timer runs it"
      }
      return .failed([AuditFinding(check: id, severity: .medium, message: message, fix: fix(host))])
    }
  }

  /// The timer when the package ships one, else a cron.d line.
  private func fix(_ host: DebianHost) -> String {
    if HostSchedule.unit(host, "lynis.timer") != nil { return "systemctl enable --now lynis.timer" }
    return "echo '30 3 * * * root lynis audit system --cronjob' > /etc/cron.d/lynis"
  }
}
