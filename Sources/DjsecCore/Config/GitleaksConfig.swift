import Foundation

/// A gitleaks rule file (`--gitleaks-config PATH`, or `[extend] path` in
/// `.djsec.toml`), read unchanged and turned into djsec rules and allow
/// lists. What gitleaks 8 reads is read here too:
///
/// - `[[rules]]`: `id`, `description`, `regex` (Go's syntax, which PCRE2 and
///   Hyperscan read alike for everything gitleaks' own rules use),
///   `secretGroup`, `entropy`, `keywords` (anywhere in the file, as gitleaks
///   checks them), `path`, `tags`, `skipReport`, and its allow lists
///   (`[rules.allowlist]` or `[[rules.allowlists]]`);
/// - global allow lists (`[allowlist]` or `[[allowlists]]`, with `targetRules`);
/// - `[extend]`: `path` (another gitleaks file, two deep at most) and
///   `disabledRules`; `useDefault` means gitleaks' own rules, and djsec's
///   always run in their place.
///
/// djsec's rules always run beside the file's: a gitleaks rule with the id
/// of one of djsec's replaces it. A rule djsec cannot run as written (a
/// pattern one engine refuses, a path-only rule, a composite `required`
/// rule) is named in a warning with the reason, and the scan goes on: the
/// file was written for another tool, and the rest of it still counts.
/// Rules have no severity in gitleaks: they are reported as high (a
/// gitleaks finding failed the build), at medium confidence, so in tests
/// and docs they are low like djsec's own name-based rules.
extension ScanConfig {
  static let gitleaksDepth = 3

  public static func gitleaks(_ url: URL, startFolder: URL?) throws(ConfigError) -> ScanConfig {
    try gitleaks(url, chain: [], startFolder: startFolder)
  }

  static func gitleaks(_ url: URL, chain: [String], startFolder: URL?) throws(ConfigError) -> ScanConfig {
    let here = url.standardizedFileURL.path
    if chain.contains(here) { throw .extendChain(path: here, reason: "[extend] path leads back to this file") }
    if chain.count >= gitleaksDepth { throw .extendChain(path: here, reason: "[extend] chains more than \(gitleaksDepth) files") }
    let table = try readTOML(url)
    var reader = TableReader(table, path: here, name: "the gitleaks file", ignoringCase: true)
    var config = ScanConfig()
    config.files.append(here)
    _ = try reader.string("title")
    _ = try reader.string("description")
    _ = try reader.string("minVersion")
    for t in try reader.tables("rules") {
      if let rule = try gitleaksRule(t, path: here, config: &config) { config.rules.append(rule) }
    }
    var seen = Set<String>()
    config.rules = config.rules.filter { seen.insert($0.id).inserted }
    let old = try reader.tables("allowlist")
    let new = try reader.tables("allowlists")
    if !old.isEmpty, !new.isEmpty {
      throw .invalid(path: here, line: old[0].line, reason: "[allowlist] and [[allowlists]] together: gitleaks takes one or the other")
    }
    for (i, t) in (old + new).enumerated() {
      config.allowlists.append(try allowlist(t, path: here, name: "allowlist #\(i + 1)", gitleaks: true))
    }
    if let extend = try reader.table("extend") {
      var inner = TableReader(extend, path: here, name: "[extend]", ignoringCase: true)
      _ = try inner.bool("useDefault")
      for id in try inner.strings("disabledRules") {
        config.disabled.append(Reference(id: id, path: here, line: inner.line("disabledRules"), strict: false))
      }
      if let relative = try inner.string("path") {
        var target = URL(fileURLWithPath: relative, relativeTo: url.deletingLastPathComponent()).standardizedFileURL
        // gitleaks reads the path from where it was started; djsec from the file first.
        if !FileManager.default.fileExists(atPath: target.path), let startFolder {
          target =
            (relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : startFolder.appendingPathComponent(relative))
            .standardizedFileURL
        }
        config.merge(try gitleaks(target, chain: chain + [here], startFolder: startFolder))
      }
      for k in inner.unknown { config.warnings.append("\(here) line \(inner.line(k)): [extend] \(k) is not a gitleaks setting; ignored") }
    }
    for k in reader.unknown { config.warnings.append("\(here) line \(reader.line(k)): \(k) is not a gitleaks setting; ignored") }
    return config
  }

  private static func gitleaksRule(_ table: TOMLTable, path: String, config: inout ScanConfig) throws(ConfigError) -> Rule? {
    var r = TableReader(table, path: path, name: "[[rules]]", ignoringCase: true)
    guard let id = try r.string("id"), !id.isEmpty else { throw .invalid(path: path, line: table.line, reason: "a rule has no id") }
    r = TableReader(table, path: path, name: "rule \(id)", ignoringCase: true)
    _ = r.value("id")
    let at = "\(path) line \(table.line): gitleaks rule \(id)"
    let description = try r.string("description") ?? id
    let regex = try r.string("regex")
    let pathPattern = try r.string("path")
    let group = try r.integer("secretGroup")
    let entropy = try r.number("entropy")
    let keywords = try r.strings("keywords").map { $0.lowercased() }
    _ = try r.strings("tags")
    let skipReport = try r.bool("skipReport") ?? false
    let required = try r.tables("required")
    var lists: [Allowlist] = []
    let old = try r.tables("allowlist")
    let new = try r.tables("allowlists")
    if !old.isEmpty, !new.isEmpty {
      throw .invalid(path: path, line: old[0].line, reason: "rule \(id) has [rules.allowlist] and [[rules.allowlists]]: gitleaks takes one")
    }
    for (i, t) in (old + new).enumerated() {
      lists.append(try allowlist(t, path: path, name: "rule \(id) allowlist #\(i + 1)", gitleaks: true, rules: [id]))
    }
    for k in r.unknown { config.warnings.append("\(at): \(k) is not a gitleaks rule setting; ignored") }
    if skipReport {
      config.warnings.append("\(at) only feeds composite rules (skipReport), which djsec does not run; skipped")
      return nil
    }
    guard let regex, !regex.isEmpty else {
      if pathPattern == nil { throw .invalid(path: path, line: table.line, reason: "rule \(id) has neither regex nor path") }
      config.warnings.append("\(at) matches file names only (no regex), which djsec does not report; skipped")
      return nil
    }
    if let group, group < 0 { throw .invalid(path: path, line: table.line, reason: "rule \(id): secretGroup must be 0 or more") }
    if !required.isEmpty {
      config.warnings.append("\(at) is composite (required): djsec reports its own matches without the required ones")
    }
    var rule = Rule(
      id: id, description: description, severity: .high, pattern: regex, keywords: keywords, entropy: entropy,
      paths: pathPattern.map { [$0] }, confidence: .medium, examples: Rule.Examples(match: [], noMatch: []))
    rule.secretGroup = group == 0 ? nil : group
    rule.keywordsAnywhere = true
    // PCRE2 here; Hyperscan when the rules are compiled together (ScanSettings),
    // so that a cached database spares 200 compiles a run.
    if let problem = RuleSet.compileProblem(rule, hyperscan: false) {
      config.warnings.append("\(at) cannot compile and is skipped: \(problem)")
      return nil
    }
    config.allowlists += lists
    config.lenient[id] = at
    return rule
  }
}
