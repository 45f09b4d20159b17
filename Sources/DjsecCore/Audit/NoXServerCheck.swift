/// No X Window System server on a server: a large body of code, often
/// setuid or listening, that a web host never needs.
struct NoXServerCheck: Check {
  let id = "host.no-x-server"
  let title = "No X Window System server is installed"
  let reference = "OWASP A05:2021 Security Misconfiguration; CIS Debian Linux Benchmark, Ensure X Window System is not installed"

  /// The servers by name; Debian's X servers also provide the virtual package `xserver`.
  static let servers = [
    "xserver-xorg-core", "xserver-xorg", "xorg", "xwayland", "xvfb", "xnest", "xserver-xephyr", "tigervnc-standalone-server",
    "tightvncserver", "xserver",
  ]

  func run(_ c: AuditContext) -> CheckOutcome {
    DebianHost.check(c) { host in
      let found = Set(Self.servers.flatMap(host.installed(providing:))).sorted()
      guard !found.isEmpty else { return .passed }
      return .failed([
        AuditFinding(
          check: id, severity: .medium, message: "an X Window System server is installed: \(found.joined(separator: ", "))",
          fix: "apt-get purge \(found.joined(separator: " "))")
      ])
    }
  }
}
