import Foundation

/// Where a host runs a program on a schedule, read from files: cron's tables
/// (/etc/crontab, /etc/cron.d, the users' crontabs), its daily scripts, and
/// the systemd timers that are enabled (a link in timers.target.wants).
struct HostSchedule {
  struct Entry: Equatable {
    /// `/etc/cron.d/lynis:2`, `lynis.timer`…
    var place: String
    /// At least once a day.
    var daily: Bool
    /// Needs a cron daemon to run.
    var cron: Bool
  }

  /// The folders systemd loads units from, the first holding a name winning.
  static let unitFolders = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"]

  /// Every entry that runs `program` (a word of its command line).
  static func entries(_ host: DebianHost, running program: String) -> [Entry] {
    cronEntries(host, running: program) + timerEntries(host, running: program)
  }

  /// Whether `text` runs `program`: the name as a word (`/usr/sbin/lynis`, `lynis audit`, not `lynis-report`).
  static func mentions(_ text: Substring, _ program: String) -> Bool {
    text.split { !($0.isLetter || $0.isNumber || "_-.".contains($0)) }.contains { $0 == program }
  }

  /// cron reads a file of cron.d (and run-parts a daily script) only when
  /// its name is letters, digits, `_` and `-`: `lynis.cron` is never run.
  static func cronReads(_ name: String) -> Bool {
    !name.isEmpty
      && name.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-".unicodeScalars.contains($0))
      }
  }

  static func cronEntries(_ host: DebianHost, running program: String) -> [Entry] {
    var tables: [(path: String, system: Bool)] = [("/etc/crontab", true)]
    tables += host.names(in: "/etc/cron.d").filter(cronReads).map { ("/etc/cron.d/\($0)", true) }
    tables += host.names(in: "/var/spool/cron/crontabs").map { ("/var/spool/cron/crontabs/\($0)", false) }
    var entries: [Entry] = []
    for table in tables {
      for (n, line) in lines(host.text(table.path)) {
        guard let daily = Self.daily(line), mentions(line, program) else { continue }
        entries.append(Entry(place: "\(table.path):\(n)", daily: daily, cron: true))
      }
    }
    for name in host.names(in: "/etc/cron.daily") where cronReads(name) {
      let path = "/etc/cron.daily/\(name)"
      guard FileManager.default.isExecutableFile(atPath: host.file(path).path),
        let (n, _) = lines(host.text(path)).first(where: { mentions($0.1, program) })
      else { continue }
      entries.append(Entry(place: "\(path):\(n)", daily: true, cron: true))
    }
    return entries
  }

  /// The lines that are not blank or comments, with their numbers.
  private static func lines(_ text: String?) -> [(Int, Substring)] {
    (text ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, line in
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : (i + 1, trimmed)
    }
  }

  /// Whether a crontab line runs at least daily; nil when it is not a job
  /// (`MAILTO=root`). Daily means `@daily`, `@midnight`, `@hourly`, or a
  /// day-of-month, month and day-of-week that are all `*`.
  static func daily(_ line: Substring) -> Bool? {
    let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard let first = fields.first else { return nil }
    if first.hasPrefix("@") { return ["@daily", "@midnight", "@hourly"].contains(first) }
    guard fields.count > 5, !first.contains("=") else { return nil }
    return fields[2...4].allSatisfy { $0 == "*" || $0 == "*/1" }
  }

  static func timerEntries(_ host: DebianHost, running program: String) -> [Entry] {
    host.names(in: "/etc/systemd/system/timers.target.wants").filter { $0.hasSuffix(".timer") }.compactMap { name in
      guard let timer = unit(host, name) else { return nil }
      let service = timer["Timer", "Unit"].last ?? String(name.dropLast(".timer".count)) + ".service"
      let runs =
        name == "\(program).timer"
        || (unit(host, service)?["Service", "ExecStart"].contains { mentions(Substring($0), program) } ?? false)
      guard runs else { return nil }
      let rare = ["weekly", "monthly", "quarterly", "semiannually", "yearly", "annually"]
      let calendar = timer["Timer", "OnCalendar"]
      return Entry(place: name, daily: calendar.isEmpty || !calendar.allSatisfy(rare.contains), cron: false)
    }
  }

  /// A unit file's `Section → Key → values`, from the first folder holding
  /// it; nil when none does or it is masked (a link to /dev/null).
  static func unit(_ host: DebianHost, _ name: String) -> UnitFile? {
    for folder in unitFolders {
      let file = host.file("\(folder)/\(name)")
      if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: file.path), target == "/dev/null" { return nil }
      if let text = try? String(contentsOf: file, encoding: .utf8) { return UnitFile(text) }
    }
    return nil
  }

  struct UnitFile {
    private var values: [String: [String]] = [:]

    init(_ text: String) {
      var section = ""
      for line in text.split(separator: "\n") {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
        if trimmed.hasPrefix("["), trimmed.hasSuffix("]") {
          section = String(trimmed.dropFirst().dropLast())
        } else if let eq = trimmed.firstIndex(of: "=") {
          let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
          values["\(section)/\(key)", default: []].append(trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces))
        }
      }
    }

    subscript(section: String, key: String) -> [String] { values["\(section)/\(key)"] ?? [] }
  }
}
