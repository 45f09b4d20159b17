import Foundation

/// `.djsec.toml` at the repository root (or `--config PATH`): what a team
/// changes about `djsec scan` without replacing its rules. It extends the
/// built-in rules; `--rules` still replaces them. docs/config.md lists
/// every setting:
///
/// ```toml
/// fail-on = "high"                      # flags win over the file
/// disabled-rules = ["generic-password"]
/// vendored-paths = ['''^third_party/''']
///
/// [extend]
/// path = "gitleaks.toml"                # a gitleaks rule file, relative to this one
///
/// [severity]
/// generic-api-key = "low"
///
/// [allow]                               # or [[allow]], several lists
/// paths = ['''^docs/examples/''']
/// regexes = ['''^test-''']              # over the secret (target = "match" or "line" for more)
/// values = ["not-a-real-password"]
///
/// [[rules]]
/// id = "acme-api-key"
/// regex = '''acme_([0-9a-f]{32})'''
/// keywords = ["acme_"]
/// severity = "high"
/// ```
public struct ScanConfig: Sendable {
  public static let defaultName = ".djsec.toml"

  public var failOn: Rule.Severity?
  public var vendoredPaths: [String] = []
  /// Rules added (or, with a built-in rule's id, replacing it).
  public var rules: [Rule] = []
  public var disabled: [Reference] = []
  public var severities: [(rule: Reference, severity: Rule.Severity)] = []
  public var allowlists: [Allowlist] = []
  /// Settings read but not honoured as written (a gitleaks feature djsec
  /// lacks), each naming the file and rule.
  public var warnings: [String] = []
  /// Every file this configuration was read from (it and the gitleaks files it extends).
  public var files: [String] = []
  /// Rules written for another tool (gitleaks), by id, with where they are
  /// ("gitleaks.toml line 12: gitleaks rule x"): one Hyperscan refuses is
  /// skipped with a warning, not an error.
  public var lenient: [String: String] = [:]

  /// A rule id as a file names it, with where, so an unknown id is an error
  /// naming the line (`.djsec.toml`) or a warning (a gitleaks file names
  /// gitleaks' own rules, which djsec does not have).
  public struct Reference: Sendable, Equatable {
    public var id: String
    public var path: String
    public var line: Int
    public var strict: Bool
  }

  public init() {}

  /// Whether an allow list reads each finding's match or line.
  public var needsContext: Bool { allowlists.contains { $0.needsContext } }

  /// The file at `url`, with the gitleaks files it extends.
  /// `startFolder`: where a gitleaks `[extend] path` that is not beside its
  /// file is looked for, as gitleaks does from where it was started (nil: nowhere).
  public static func load(_ url: URL, startFolder: URL?) throws(ConfigError) -> ScanConfig {
    let table = try readTOML(url)
    var reader = TableReader(table, path: url.path, name: ScanConfig.defaultName)
    var config = ScanConfig()
    config.files.append(url.standardizedFileURL.path)
    config.failOn = try reader.severity("fail-on")
    config.vendoredPaths = try reader.strings("vendored-paths")
    for id in try reader.strings("disabled-rules") {
      config.disabled.append(Reference(id: id, path: url.path, line: reader.line("disabled-rules"), strict: true))
    }
    if let severity = try reader.table("severity") {
      var inner = TableReader(severity, path: url.path, name: "[severity]")
      for id in severity.keys {
        guard let value = try inner.severity(id) else { continue }
        config.severities.append((Reference(id: id, path: url.path, line: inner.line(id), strict: true), value))
      }
    }
    for (index, allow) in try reader.tables("allow").enumerated() {
      config.allowlists.append(try allowlist(allow, path: url.path, name: "[allow] #\(index + 1)", gitleaks: false))
    }
    for table in try reader.tables("rules") {
      config.rules.append(try rule(table, path: url.path))
    }
    if let extend = try reader.table("extend") {
      var inner = TableReader(extend, path: url.path, name: "[extend]")
      if let relative = try inner.string("path") {
        let target = URL(fileURLWithPath: relative, relativeTo: url.deletingLastPathComponent()).standardizedFileURL
        config.merge(try gitleaks(target, chain: [url.standardizedFileURL.path], startFolder: startFolder))
      }
      try inner.finish()
    }
    try reader.finish()
    try config.checkRules(source: url.path)
    return config
  }

  static func readTOML(_ url: URL) throws(ConfigError) -> TOMLTable {
    guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(path: url.path) }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .syntax(path: url.path, line: 1, reason: "the file is not UTF-8")
    }
    do { return try TOML.parse(text) } catch { throw .syntax(path: url.path, line: error.line, reason: error.reason) }
  }

  /// A `[[rules]]` entry of `.djsec.toml`.
  private static func rule(_ table: TOMLTable, path: String) throws(ConfigError) -> Rule {
    var r = TableReader(table, path: path, name: "[[rules]]")
    guard let id = try r.string("id"), !id.isEmpty else { throw .invalid(path: path, line: table.line, reason: "a rule needs an id") }
    r = TableReader(table, path: path, name: "rule \(id)")
    _ = r.value("id")
    guard let pattern = try r.string("regex") else { throw r.fail("id", "rule \(id) needs a regex") }
    let severity = try r.severity("severity") ?? .high
    var confidence = Rule.Confidence.high
    if let c = try r.string("confidence") {
      guard let parsed = Rule.Confidence(rawValue: c) else { throw r.fail("confidence", "confidence = \"\(c)\": use low, medium or high") }
      confidence = parsed
    }
    var rule = Rule(
      id: id, description: try r.string("description") ?? id, severity: severity, pattern: pattern,
      keywords: try r.strings("keywords").map { $0.lowercased() }, entropy: try r.number("entropy"),
      minLength: try r.integer("min-length"), allow: try r.strings("allow"), paths: try r.strings("paths"),
      confidence: confidence, examples: Rule.Examples(match: [], noMatch: []))
    if rule.paths?.isEmpty == true { rule.paths = nil }
    rule.skipPaths = try r.strings("skip-paths")
    rule.secretGroup = try r.integer("secret-group")
    try r.finish()
    try check(rule, path: path, line: table.line)
    return rule
  }

  /// A rule's patterns must compile in both engines (Hyperscan finds, PCRE2
  /// confirms): a rule that cannot is named with the engine's reason.
  static func check(_ rule: Rule, path: String, line: Int) throws(ConfigError) {
    if let reason = RuleSet.compileProblem(rule) {
      throw .invalid(path: path, line: line, reason: "rule \(rule.id) cannot compile: \(reason)")
    }
    if let group = rule.secretGroup, group < 0 {
      throw .invalid(path: path, line: line, reason: "rule \(rule.id): secret-group must be 0 or more")
    }
  }

  /// An allow list's settings, in `.djsec.toml` and gitleaks alike.
  static func allowlist(_ table: TOMLTable, path: String, name: String, gitleaks: Bool, rules: Set<String>? = nil)
    throws(ConfigError) -> Allowlist
  {
    var r = TableReader(table, path: path, name: name, ignoringCase: gitleaks)
    var condition = Allowlist.Condition.or
    if let c = try r.string("condition") {
      guard let parsed = Allowlist.Condition(rawValue: c.uppercased()) else {
        throw r.fail("condition", "condition = \"\(c)\": use OR or AND")
      }
      condition = parsed
    }
    var target = Allowlist.Target.secret
    if let t = try r.string(gitleaks ? "regexTarget" : "target") {
      guard let parsed = Allowlist.Target(rawValue: t) else {
        throw r.fail(gitleaks ? "regexTarget" : "target", "\(t) is not a target: use secret, match or line")
      }
      target = parsed
    }
    var targets = rules
    if gitleaks, rules == nil {
      let named = try r.strings("targetRules")
      if !named.isEmpty { targets = Set(named) }
    } else if !gitleaks {
      let named = try r.strings("rules")
      if !named.isEmpty { targets = Set(named) }
    }
    let description = try r.string("description")
    let (paths, commits, regexes) = (try r.strings("paths"), try r.strings("commits"), try r.strings("regexes"))
    let stopwords = try r.strings("stopwords")
    let values = gitleaks ? [] : try r.strings("values")
    let list: Allowlist
    do {
      list = try Allowlist(
        description: description, rules: targets, condition: condition, paths: paths, commits: commits, regexes: regexes,
        target: target, stopwords: stopwords, values: Set(values))
    } catch {
      throw .invalid(path: path, line: table.line, reason: "\(name): the pattern \(error.pattern) does not compile: \(error.reason)")
    }
    if gitleaks {
      // Read as gitleaks reads them: an unknown key there is not djsec's to refuse.
      if let k = r.unknown.first { throw r.fail(k, "\(name) has no setting \(k)") }
    } else {
      try r.finish()
    }
    if list.isEmpty {
      throw .invalid(path: path, line: table.line, reason: "\(name) allows nothing: give it paths, regexes, commits, stopwords or values")
    }
    return list
  }

  mutating func merge(_ other: ScanConfig) {
    failOn = failOn ?? other.failOn
    vendoredPaths += other.vendoredPaths
    // This file's own rules win over the ones it extends, as in gitleaks.
    let own = Set(rules.map(\.id))
    rules += other.rules.filter { !own.contains($0.id) }
    lenient.merge(other.lenient.filter { !own.contains($0.key) }) { a, _ in a }
    disabled += other.disabled
    severities += other.severities
    allowlists += other.allowlists
    warnings += other.warnings
    files += other.files
  }

  private func checkRules(source: String) throws(ConfigError) {
    var seen = Set<String>()
    for rule in rules where !seen.insert(rule.id).inserted {
      throw .invalid(path: source, line: 1, reason: "rule id \(rule.id) is defined twice")
    }
  }

  /// The built-in rules (or `--rules`) with this file's changes: its rules
  /// before the generic ones (a team's own format wins an overlap with a
  /// name-based guess), a built-in rule replaced by one of the same id,
  /// rules disabled, severities changed, vendored paths added.
  public func apply(to file: inout RulesFile) throws(ConfigError) -> [String] {
    var warnings = self.warnings
    let known = Set(file.rules.map(\.id)).union(rules.map(\.id))
    for ref in disabled + severities.map(\.rule) where !known.contains(ref.id) {
      if ref.strict {
        throw .invalid(path: ref.path, line: ref.line, reason: "\(ref.id) is not a rule id (`djsec rules` lists them)")
      }
      warnings.append("\(ref.path): rule \(ref.id) is not one of djsec's rules, so disabling it changes nothing")
    }
    var merged = file.rules
    var added: [Rule] = []
    for rule in rules {
      if let i = merged.firstIndex(where: { $0.id == rule.id }) { merged[i] = rule } else { added.append(rule) }
    }
    let generic = merged.firstIndex { ($0.confidence ?? .high) == .low } ?? merged.count
    merged.insert(contentsOf: added, at: generic)
    let off = Set(disabled.map(\.id))
    merged.removeAll { off.contains($0.id) }
    for (ref, severity) in severities {
      for i in merged.indices where merged[i].id == ref.id { merged[i].severity = severity }
    }
    file.rules = merged
    file.vendoredPaths += vendoredPaths
    return warnings
  }

  /// The findings no allow list allows.
  public func filter(_ result: ScanResult) -> ScanResult {
    guard !allowlists.isEmpty else { return result }
    var out = result
    out.findings = result.findings.filter { f in !allowlists.contains { $0.allows(f) } }
    return out
  }
}
