import Foundation

/// What the host checks read of a Debian or Ubuntu system under `--root`:
/// which system it is (os-release) and which packages dpkg has installed.
/// Files are read, never programs run (dpkg-query, systemctl), so that a
/// host's state can be built in a folder and checked from anywhere.
struct DebianHost: Sendable {
  let options: AuditOptions
  /// Installed packages by name → the virtual names each provides.
  let packages: [String: Set<String>]

  /// `body`'s outcome on this host, or not applicable, saying why, when the
  /// host checks are off or the system is not Debian or Ubuntu.
  static func check(_ c: AuditContext, _ body: (DebianHost) -> CheckOutcome) -> CheckOutcome {
    switch c.host {
    case .success(let host): return body(host)
    case .failure(let reason): return .notApplicable(reason.text)
    }
  }

  /// Read once per audit (AuditContext.host): the three host checks share it.
  static func open(_ options: AuditOptions) -> Result<DebianHost, Reason> {
    let c = options
    guard c.hostChecks else { return .failure(Reason("host checks are off (--host-checks runs them)")) }
    // os-release(5): /etc/os-release, else the vendor's copy it links to.
    let fields = ["/etc/os-release", "/usr/lib/os-release"].lazy.compactMap { Self.read(c.hostFile($0)) }.first
    guard let fields else {
      return .failure(Reason("no /etc/os-release under \(c.hostRoot.path): not a Debian or Ubuntu system"))
    }
    let ids = [fields["ID"] ?? ""] + (fields["ID_LIKE"] ?? "").split(separator: " ").map(String.init)
    guard ids.contains(where: { $0 == "debian" || $0 == "ubuntu" }) else {
      let name = fields["PRETTY_NAME"] ?? fields["NAME"] ?? fields["ID"] ?? "an unnamed system"
      return .failure(Reason("\(name) is not Debian or Ubuntu (the host checks read dpkg and apt)"))
    }
    var packages: [String: Set<String>] = [:]
    for stanza in Self.installedStanzas(c.hostFile("/var/lib/dpkg/status")) {
      guard let name = stanza["package"] else { continue }
      // `Provides: cron-daemon, xserver (= 1.0)`: the names, without versions.
      let provides = (stanza["provides"] ?? "").split(separator: ",").compactMap { $0.split(separator: " ").first.map(String.init) }
      packages[name, default: []].formUnion(provides)
    }
    return .success(DebianHost(options: options, packages: packages))
  }

  struct Reason: Error {
    var text: String
    init(_ text: String) { self.text = text }
  }

  /// Whether `name` is installed, or an installed package provides it.
  func has(_ name: String) -> Bool { !installed(providing: name).isEmpty }

  /// The installed packages named `name` or providing it, sorted.
  func installed(providing name: String) -> [String] {
    packages.filter { $0.key == name || $0.value.contains(name) }.keys.sorted()
  }

  /// os-release's `KEY=value` lines, values unquoted as a shell would.
  static func read(_ file: URL) -> [String: String]? {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let eq = line.firstIndex(of: "=") else { continue }
      var value = String(line[line.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
      if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
        value = String(value.dropFirst().dropLast())
        if quote == "\"" { value = value.replacingOccurrences(of: "\\", with: "") }
      }
      fields[String(line[..<eq])] = value
    }
    return fields
  }

  /// The stanzas of dpkg's status database whose package is installed
  /// (`Status: install ok installed`, or `hold ok installed`: the third word
  /// is the state; `config-files` means removed). Field names lower-cased.
  static func installedStanzas(_ file: URL) -> [[String: String]] {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
    var stanzas: [[String: String]] = []
    var current: [String: String] = [:]
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.trimmingCharacters(in: .whitespaces).isEmpty {
        if !current.isEmpty { stanzas.append(current) }
        current = [:]
      } else if let colon = line.firstIndex(of: ":"), line.first != " ", line.first != "\t" {
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        current[line[..<colon].lowercased()] = value
      }
    }
    if !current.isEmpty { stanzas.append(current) }
    return stanzas.filter { ($0["status"] ?? "").split(separator: " ").last == "installed" }
  }

  /// `path` (as on the host: /etc/…) read under `--root`.
  func file(_ path: String) -> URL { options.hostFile(path) }

  /// The names in a host folder, sorted as `ls` (C locale) does; empty when it does not exist.
  func names(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: file(folder).path)) ?? []).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  /// The contents of a host file, or nil when it cannot be read.
  func text(_ path: String) -> String? { try? String(contentsOf: file(path), encoding: .utf8) }
}
