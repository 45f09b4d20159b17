import Foundation

/// Everything a scan reads before it starts, resolved once from the
/// repository root: the rules (built-in or `--rules`) changed by
/// `.djsec.toml` (or `--config`) and a gitleaks file, and the ignore files
/// applied after it. A flag wins over the file, the file over the default;
/// the CLI does that merge for single values such as `--fail-on`.
public struct ScanSettings: Sendable {
  public var config: ScanConfig
  public var ruleSet: RuleSet
  /// What the configuration could not honour as written, for the scan's warnings.
  public var warnings: [String]

  /// `startFolder`: the folder djsec was started in, where gitleaks looks for
  /// an `[extend] path`; with `--settings-from`, its place among REV's files.
  public static func load(
    root: URL, config: String?, gitleaksConfig: String?, rules: String?, startFolder: URL?, cache: EngineCache? = nil
  ) throws -> ScanSettings {
    var loaded = ScanConfig()
    if let config {
      loaded = try ScanConfig.load(URL(fileURLWithPath: config), startFolder: startFolder)
    } else {
      let found = root.appendingPathComponent(ScanConfig.defaultName)
      if FileManager.default.fileExists(atPath: found.path) { loaded = try ScanConfig.load(found, startFolder: startFolder) }
    }
    if let gitleaksConfig { loaded.merge(try ScanConfig.gitleaks(URL(fileURLWithPath: gitleaksConfig), startFolder: startFolder)) }
    var file =
      try rules.map { path throws(RuleError) in try RuleSet.merged(URL(fileURLWithPath: path)) } ?? RuleSet.merge(RuleSet.builtInFiles())
    var warnings = try loaded.apply(to: &file)
    while true {
      do throws(RuleError) {
        let ruleSet = try RuleSet(file, source: rules ?? "djsec's rules", cache: cache)
        return ScanSettings(config: loaded, ruleSet: ruleSet, warnings: warnings)
      } catch {
        // A gitleaks rule Hyperscan refuses: named, and the rest still run.
        guard case .invalidPattern(let id, let reason) = error, let at = loaded.lenient[id] else { throw error }
        file.rules.removeAll { $0.id == id }
        warnings.append("\(at) cannot compile and is skipped: \(reason)")
      }
    }
  }

  /// The findings left once the configuration's allow lists, `.djsecignore`
  /// (or `ignoreFile`) and `.gitleaksignore` have had their say.
  public func filter(_ result: ScanResult, root: URL, ignoreFile: String?) throws -> ScanResult {
    var out = config.filter(result)
    let ignorePath = ignoreFile.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent(IgnoreFile.defaultName)
    if let ignore = try IgnoreFile.load(ignorePath, rules: Set(ruleSet.rules.map(\.id))) {
      out = ignore.filter(out)
    } else if ignoreFile != nil {
      throw ScanError.unreadable(path: ignorePath.path)
    }
    if let gitleaks = try IgnoreFile.loadGitleaks(root.appendingPathComponent(IgnoreFile.gitleaksName)) {
      out = gitleaks.filter(out)
    }
    return out
  }
}
