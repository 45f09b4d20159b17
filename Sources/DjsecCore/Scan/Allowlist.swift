/// Findings a configuration allows, in the shape gitleaks users already
/// write (`[[allowlists]]`, `[[rules.allowlists]]`) and `.djsec.toml`'s
/// `[allow]` table: by path, commit, a pattern over the secret, the whole
/// match or its line, a stopword inside the secret, or the exact value.
/// Each list applies to every rule or to the rules it names; its criteria
/// are joined by OR (any allows) or AND (all that are set must).
public struct Allowlist: Sendable {
  public enum Target: String, Sendable, CaseIterable {
    case secret, match, line
  }

  public enum Condition: String, Sendable, CaseIterable {
    case or = "OR"
    case and = "AND"
  }

  public var description: String?
  /// nil: every rule.
  public var rules: Set<String>?
  public var condition: Condition = .or
  var paths: [PreciseRegex] = []
  /// Commit ids or their prefixes, lower case.
  public var commits: [String] = []
  var regexes: [PreciseRegex] = []
  public var target: Target = .secret
  /// Lower case: a secret containing one is allowed (gitleaks' stopwords).
  public var stopwords: [String] = []
  public var values: Set<String> = []

  /// Whether the list reads the match or the line (the scanner then keeps them).
  public var needsContext: Bool { !regexes.isEmpty && target != .secret }

  public var isEmpty: Bool { paths.isEmpty && commits.isEmpty && regexes.isEmpty && stopwords.isEmpty && values.isEmpty }

  /// Compiles the path and regex patterns; an invalid one is named.
  public init(
    description: String? = nil, rules: Set<String>? = nil, condition: Condition = .or, paths: [String] = [],
    commits: [String] = [], regexes: [String] = [], target: Target = .secret, stopwords: [String] = [], values: Set<String> = []
  ) throws(PatternFailure) {
    self.description = description
    self.rules = rules
    self.condition = condition
    self.paths = try Self.compile(paths)
    self.commits = commits.map { $0.lowercased() }
    self.regexes = try Self.compile(regexes)
    self.target = target
    self.stopwords = stopwords.map { $0.lowercased() }
    self.values = values
  }

  public struct PatternFailure: Error, Equatable, Sendable {
    public var pattern: String
    public var reason: String
  }

  private static func compile(_ patterns: [String]) throws(PatternFailure) -> [PreciseRegex] {
    var out: [PreciseRegex] = []
    for p in patterns {
      do { out.append(try PreciseRegex(p)) } catch { throw PatternFailure(pattern: p, reason: error.message) }
    }
    return out
  }

  public func allows(_ f: Finding) -> Bool {
    if let rules, !rules.contains(f.rule) { return false }
    var verdicts: [Bool] = []
    if !paths.isEmpty { verdicts.append(paths.contains { $0.matches(f.path) }) }
    if !commits.isEmpty { verdicts.append(f.commit.map { c in commits.contains { c.sha.hasPrefix($0) } } ?? false) }
    if !regexes.isEmpty {
      let text =
        switch target {
        case .secret: f.secret
        case .match: f.context?.match ?? f.secret
        case .line: f.context?.line ?? f.secret
        }
      verdicts.append(regexes.contains { $0.matches(text) })
    }
    if !stopwords.isEmpty {
      let lowered = f.secret.lowercased()
      verdicts.append(stopwords.contains { lowered.contains($0) })
    }
    if !values.isEmpty { verdicts.append(values.contains(f.secret)) }
    guard !verdicts.isEmpty else { return false }
    return condition == .and ? verdicts.allSatisfy { $0 } : verdicts.contains(true)
  }
}
