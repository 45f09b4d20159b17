import Foundation

/// A value made on first use, once, whatever thread asks first.
final class LazyValue<Value: Sendable>: @unchecked Sendable {
  // @unchecked Sendable: `made` is written once, under `lock`.
  private let lock = NSLock()
  private var made: Value?
  private let make: @Sendable () -> Value

  init(_ make: @escaping @Sendable () -> Value) { self.make = make }

  var value: Value {
    lock.withLock {
      if let made { return made }
      let value = make()
      made = value
      return value
    }
  }
}

/// The rules, compiled: one Hyperscan database for all of them, and a PCRE2
/// pattern per rule (and per allow pattern) for confirmation.
public final class RuleSet: Sendable {
  public let rules: [Rule]
  /// Every rule whose scope is `all`: what text is scanned with.
  let database: HyperscanDatabase
  /// Every rule: what the strings of binary files are scanned with. Built
  /// on first use when it is in the cache: most scans never meet a binary.
  var binaryDatabase: HyperscanDatabase { binary.value }
  private let binary: LazyValue<HyperscanDatabase>
  let precise: [PreciseRegex]
  let allows: [[PreciseRegex]]
  let placeholders: [PreciseRegex]
  let pathRules: [[PreciseRegex]?]
  let skipPathRules: [[PreciseRegex]]
  /// Rules that apply only at some paths: they cannot win an overlap until
  /// the path is known (a blob is matched before its paths are).
  let conditional: [Bool]
  let ignorePaths: [PreciseRegex]
  let vendoredPaths: [PreciseRegex]
  let lowSeverityPaths: [PreciseRegex]
  let keywords: [[[UInt8]]]

  /// The rules shipped with djsec (`Resources/rules/`, one file per
  /// provider family), compiled into the binary (EmbeddedFiles), so it runs
  /// from any folder; `PREFIX/share/djsec/rules/` beside an installed djsec
  /// overrides them. With a `cache`, compiled databases are kept there
  /// between runs.
  public static func builtIn(cache: EngineCache? = nil, examples: Bool = false) throws(RuleError) -> RuleSet {
    try RuleSet(merge(try builtInFiles(examples: examples)), source: "djsec's rules", cache: cache)
  }

  /// The built-in rule files with their names, in order.
  public static func builtInFiles(examples: Bool = false) throws(RuleError) -> [(name: String, file: RulesFile)] {
    if let installed = Installation.sharedFile("rules") { return try readFiles(installed, examples: examples) }
    var out: [(name: String, file: RulesFile)] = []
    for (name, text) in EmbeddedFiles.rules {
      out.append((name, try decode(Data(text.utf8), path: "\(name) (built in)", examples: examples)))
    }
    return out
  }

  /// The files of `url` as one, in order (before a configuration changes it):
  /// a rules file, or a folder of them read in name order, so the order of the
  /// rules, which decides which wins an overlap, is the files' order.
  public static func merged(_ url: URL, examples: Bool = false) throws(RuleError) -> RulesFile {
    merge(try readFiles(url, examples: examples))
  }

  /// Rule files as one, in order.
  public static func merge(_ files: [(name: String, file: RulesFile)]) -> RulesFile {
    RulesFile(
      placeholders: files.flatMap(\.file.placeholders), ignorePaths: files.flatMap(\.file.ignorePaths),
      vendoredPaths: files.flatMap(\.file.vendoredPaths), lowSeverityPaths: files.flatMap(\.file.lowSeverityPaths),
      rules: files.flatMap(\.file.rules))
  }

  /// Each file of `url` (itself, or the `.json` files of a folder) with its name.
  /// `examples: false` leaves the rules' examples out (a scan does not need them).
  public static func readFiles(_ url: URL, examples: Bool = true) throws(RuleError) -> [(name: String, file: RulesFile)] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { throw .cannotRead(path: url.path) }
    let urls: [URL]
    if isFolder.boolValue {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
      urls = names.filter { $0.hasSuffix(".json") }.sorted().map { url.appendingPathComponent($0) }
      guard !urls.isEmpty else { throw .cannotRead(path: url.path + "/*.json") }
    } else {
      urls = [url]
    }
    var out: [(name: String, file: RulesFile)] = []
    for file in urls {
      guard let data = FileManager.default.contents(atPath: file.path) else { throw .cannotRead(path: file.path) }
      out.append((file.lastPathComponent, try decode(data, path: file.path, examples: examples)))
    }
    return out
  }

  static func decode(_ data: Data, path: String, examples: Bool) throws(RuleError) -> RulesFile {
    let decoded: RulesFile
    let decoder = JSONDecoder()
    if !examples { decoder.userInfo[Rule.skipExamples] = true }
    do { decoded = try decoder.decode(RulesFile.self, from: data) } catch {
      throw .malformed(path: path, reason: Self.describe(error))
    }
    guard decoded.version == 1 else { throw .malformed(path: path, reason: "unsupported version \(decoded.version), expected 1") }
    return decoded
  }

  public init(_ file: RulesFile, source: String, cache: EngineCache? = nil) throws(RuleError) {
    var seen = Set<String>()
    for rule in file.rules where !seen.insert(rule.id).inserted {
      throw .malformed(path: source, reason: "rule id \(rule.id) appears twice")
    }
    rules = file.rules
    // The cached database stands for every pattern of the rules, the PCRE2-
    // only ones too (allow lists, placeholders, paths): when it is cached,
    // they all compiled when it was built, and each is compiled when first
    // used. Otherwise each is compiled now, so a bad one is an error naming it.
    let everywhere = file.rules.indices.filter { (file.rules[$0].scope ?? .all) == .all }
    let markerIDs = Marker.allCases.map { file.rules.count + $0.rawValue }
    let mainIDs = everywhere + markerIDs
    let mainExpressions = everywhere.map { file.rules[$0].pattern } + Marker.allCases.map(\.pattern)
    let salt = Self.pcreOnlyPatterns(file)
    let mainKey = cache.map { _ in HyperscanDatabase.key(expressions: mainExpressions, ids: mainIDs, salt: salt) }
    let checked = mainKey.map { cache?.contains(key: $0) ?? false } ?? false
    func compile(_ patterns: [String], rule: String) throws(RuleError) -> [PreciseRegex] {
      var out: [PreciseRegex] = []
      for pattern in patterns {
        if checked {
          out.append(PreciseRegex(checked: pattern))
          continue
        }
        do { out.append(try PreciseRegex(pattern)) } catch { throw .invalidPattern(rule: rule, reason: error.message) }
      }
      return out
    }
    var precise: [PreciseRegex] = []
    var allows: [[PreciseRegex]] = []
    var pathRules: [[PreciseRegex]?] = []
    var skipPathRules: [[PreciseRegex]] = []
    for rule in file.rules {
      skipPathRules.append(try compile(rule.skipPaths ?? [], rule: rule.id))
      precise += try compile([rule.pattern], rule: rule.id)
      allows.append(try compile(rule.allow ?? [], rule: rule.id))
      pathRules.append(try rule.paths.map { paths throws(RuleError) in try compile(paths, rule: rule.id) })
      for v in rule.validators ?? [] where Validators.named(v) == nil {
        throw .malformed(path: source, reason: "rule \(rule.id) names an unknown validator \(v)")
      }
    }
    self.precise = precise
    self.allows = allows
    self.pathRules = pathRules
    self.skipPathRules = skipPathRules
    conditional = file.rules.map { $0.paths != nil || !($0.skipPaths ?? []).isEmpty }
    placeholders = try compile(file.placeholders, rule: "placeholders")
    ignorePaths = try compile(file.ignorePaths, rule: "ignorePaths")
    vendoredPaths = try compile(file.vendoredPaths, rule: "vendoredPaths")
    lowSeverityPaths = try compile(file.lowSeverityPaths, rule: "lowSeverityPaths")
    keywords = file.rules.map { $0.keywords.map { Array($0.lowercased().utf8) } }
    let all = file.rules.map(\.pattern)
    let allIDs = Array(file.rules.indices)
    do throws(HyperscanDatabase.CompileFailure) {
      // The binary database first: the main one, once stored, vouches for every pattern.
      let binaryKey = checked ? HyperscanDatabase.key(expressions: all, ids: allIDs) : nil
      if let binaryKey, let cache, cache.contains(key: binaryKey) {
        binary = LazyValue {
          do throws(HyperscanDatabase.CompileFailure) {
            return try HyperscanDatabase(expressions: all, ids: allIDs, cache: cache, key: binaryKey)
          } catch {
            fatalError("djsec: rules that compiled before no longer do (\(error.message)); remove ~/.cache/djsec")
          }
        }
      } else {
        let built = try HyperscanDatabase(expressions: all, ids: allIDs, cache: cache)
        binary = LazyValue { built }
      }
      database = try HyperscanDatabase(expressions: mainExpressions, ids: mainIDs, cache: cache, salt: salt, key: mainKey)
    } catch {
      throw .invalidPattern(rule: file.rules[min(error.index, file.rules.count - 1)].id, reason: error.message)
    }
  }

  /// Content the scanner looks for besides secrets, in the same pass as the
  /// rules (a separate search for a marker cost as much as a fifth of all
  /// matching on wagtail's history). A marker's hits arrive under id
  /// `rules.count + rawValue`; Detector reports which were seen.
  enum Marker: Int, CaseIterable {
    /// A Kubernetes Secret manifest, whose base64 `data:` values are decoded
    /// and scanned as well (KubernetesSecret); confirmed by its parser.
    case kubernetesSecret

    var pattern: String {
      switch self {
      case .kubernetesSecret: #"kind"?\s*:\s*"?Secret\b"#
      }
    }
  }

  /// The patterns only PCRE2 runs, in a fixed order.
  private static func pcreOnlyPatterns(_ file: RulesFile) -> [String] {
    var out: [String] = []
    for rule in file.rules {
      out.append("rule:" + rule.id)
      out += (rule.allow ?? []) + ["paths:"] + (rule.paths ?? []) + ["skip:"] + (rule.skipPaths ?? [])
    }
    for (name, list) in [
      ("placeholders", file.placeholders), ("ignore", file.ignorePaths), ("vendored", file.vendoredPaths), ("low", file.lowSeverityPaths),
    ] {
      out.append(name + ":")
      out += list
    }
    return out
  }

  /// Whether a rule applies at `path`: inside its `paths` (when it has them)
  /// and outside its `skipPaths`.
  func pathAllowed(rule index: Int, path: String) -> Bool {
    if let patterns = pathRules[index], !patterns.contains(where: { $0.matches(path) }) { return false }
    return !skipPathRules[index].contains { $0.matches(path) }
  }

  /// Other people's code (site-packages, node_modules, a virtualenv, .tox).
  func isVendored(path: String) -> Bool {
    vendoredPaths.contains { $0.matches(path) }
  }

  /// The severity a rule's finding gets at `path`: low in tests and docs,
  /// unless the rule recognises a provider's own format.
  func severity(rule index: Int, path: String) -> Rule.Severity {
    let rule = rules[index]
    guard (rule.confidence ?? .high) < .high, lowSeverityPaths.contains(where: { $0.matches(path) }) else { return rule.severity }
    return .low
  }

  func isIgnored(path: String) -> Bool {
    ignorePaths.contains { $0.matches(path) }
  }

  private static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      return "missing \(key.stringValue) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "\(context.debugDescription) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    case DecodingError.dataCorrupted(let context):
      return context.debugDescription
    default:
      return "\(error)"
    }
  }
}

public enum RuleError: Error, Equatable, Sendable {
  case cannotRead(path: String)
  case malformed(path: String, reason: String)
  case invalidPattern(rule: String, reason: String)
}

extension RuleError: DjsecError {
  public var message: String {
    switch self {
    case .cannotRead(let p): "cannot read rules file \(p)"
    case .malformed(let p, let reason): "rules file \(p) is malformed: \(reason)"
    case .invalidPattern(let rule, let reason): "rule \(rule) has an invalid pattern: \(reason)"
    }
  }

  public var hint: String? {
    switch self {
    case .cannotRead: "check the path given to --rules"
    case .malformed: "fix the JSON, or drop --rules to use djsec's own rules"
    case .invalidPattern: "fix that rule's pattern: it must compile in both PCRE2 and Hyperscan"
    }
  }
}

extension RuleSet {
  /// Why a rule written outside djsec (`.djsec.toml`, a gitleaks file)
  /// cannot run, or nil when every pattern compiles in both engines.
  /// `hyperscan: false` checks PCRE2 only (Hyperscan is then checked when
  /// the whole set is compiled).
  public static func compileProblem(_ rule: Rule, hyperscan: Bool = true) -> String? {
    for pattern in [rule.pattern] + (rule.allow ?? []) + (rule.paths ?? []) + (rule.skipPaths ?? []) {
      do { _ = try PreciseRegex(pattern) } catch { return "\(pattern): \(error.message)" }
    }
    guard hyperscan else { return nil }
    do { _ = try HyperscanDatabase(expressions: [rule.pattern], ids: [0]) } catch { return "\(rule.pattern): \(error.message)" }
    return nil
  }
}
