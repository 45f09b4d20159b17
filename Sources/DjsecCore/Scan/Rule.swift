import Foundation

/// A detection rule, loaded from `Resources/rules/` (or `--rules PATH`).
/// Rules are data: adding one needs no Swift, only a pattern and its examples.
public struct Rule: Codable, Sendable, Equatable {
  public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    case low, medium, high, critical
    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
  }

  /// How the secret is taken out of a confirmed match.
  public enum Extractor: String, Codable, Sendable {
    /// Capture group 1 (or the whole match when the pattern has no group).
    case capture
    /// A Python string expression starting at group 1: quotes of every kind,
    /// implicit and `+` concatenation, parentheses and line continuations.
    case pythonExpression = "python-expression"
    /// A Python list or tuple of string expressions starting at group 1: each element is a secret.
    case pythonList = "python-list"
  }

  public struct Example: Codable, Sendable, Equatable {
    /// Text with `{{generator}}` placeholders filled at test time, so no
    /// credential-like value is ever committed.
    public var text: String
    /// For a match: the exact secret expected (placeholders allowed).
    public var secret: String?
    /// For a non-match: why it must not be reported.
    public var why: String?
    /// The path the text is scanned as (rules may depend on it).
    public var path: String?
  }

  public var id: String
  public var description: String
  public var severity: Severity
  /// A PCRE2 pattern that Hyperscan also accepts (in prefilter mode).
  public var pattern: String
  /// At least one must occur (case-insensitively) in the matched text: a
  /// cheap guard that documents what the rule is about.
  public var keywords: [String]
  public var extractor: Extractor?
  /// Minimum Shannon entropy of the secret, in bits per character.
  public var entropy: Double?
  public var minLength: Int?
  /// Patterns over the secret that mark it as not a secret (placeholders, examples).
  public var allow: [String]?
  /// Values a provider publishes as examples, by their secret id (the
  /// BLAKE2b digest every report shows): a real key's whole text never has
  /// to be written in a rule file to be recognised as the documented one.
  public var allowDigests: [String]?
  /// Named checks in Swift for formats a regex cannot verify (checksums, shapes).
  public var validators: [String]?
  /// Path patterns (PCRE2 over the path) the rule is limited to.
  public var paths: [String]?
  /// Path patterns where the rule does not apply: a generic rule that reads
  /// config syntax (an unquoted `password: value`) is noise in code, CSS and
  /// source maps.
  public var skipPaths: [String]?
  /// Instead of one entropy floor: the secret must look as random as 99 % of
  /// random strings of its own alphabet (hex, alphanumeric, base64) and length.
  /// A 32-hex key sits around 3.6 bits per character, a 32-character base62
  /// token around 4.5: one floor either drops the first or keeps words.
  public var randomLike: Bool?
  /// How sure a match is a credential: `high` for a provider's own format (a
  /// prefix, a checksum), `medium` for a value recognised by the name beside
  /// it, `low` for generic rules. Below `high`, a finding in a test or docs
  /// location is reported at low severity.
  public var confidence: Confidence?
  /// A rule for values that are public by design (publishable keys, search-
  /// only keys, site keys): it reports nothing, and what it matches no
  /// generic rule may report either.
  public var publicValue: Bool?

  public enum Confidence: String, Codable, Sendable, Comparable, CaseIterable {
    case low, medium, high
    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
  }
  /// How far before a prefilter hit a match may start, in bytes (default 1024):
  /// the precise matcher looks this far back and no further.
  public var lookbehind: Int?
  /// Where the rule runs: everywhere (the default), or only on the strings
  /// pulled out of binary files, for patterns too costly to run on all text.
  public var scope: Scope?

  public enum Scope: String, Codable, Sendable {
    case all
    case binary
  }
  /// The capture group that holds the secret (gitleaks' `secretGroup`);
  /// by default the first group that took part, or the whole match.
  public var secretGroup: Int?
  /// The keywords may occur anywhere in the file, not only in the match: a
  /// gitleaks rule's keywords are a filter on the whole text it scans.
  public var keywordsAnywhere: Bool?
  public var examples: Examples

  public struct Examples: Codable, Sendable, Equatable {
    public var match: [Example]
    public var noMatch: [Example]

    public init(match: [Example], noMatch: [Example]) {
      self.match = match
      self.noMatch = noMatch
    }

    /// Skipped when scanning (`Rule.skipExamples` in the decoder's userInfo):
    /// the examples are most of the rule files, and only tests and docs read them.
    public init(from decoder: any Decoder) throws {
      if decoder.userInfo[Rule.skipExamples] as? Bool == true {
        (match, noMatch) = ([], [])
        return
      }
      let c = try decoder.container(keyedBy: CodingKeys.self)
      match = try c.decode([Example].self, forKey: .match)
      noMatch = try c.decode([Example].self, forKey: .noMatch)
    }
  }

  /// A decoder flag: leave every rule's examples out.
  public static let skipExamples = CodingUserInfoKey(rawValue: "djsec.skipExamples")!
}

/// The whole rules file: shared allow lists plus the rules in priority order
/// (when two rules report the same secret, the earlier one wins).
public struct RulesFile: Codable, Sendable {
  public var version: Int
  /// What the file's rules are for (a provider family), for docs/rules.md.
  public var description: String?
  /// Patterns over any secret that mark it as a placeholder.
  public var placeholders: [String]
  /// Path patterns never scanned (lock files hold checksums, not secrets).
  public var ignorePaths: [String]
  /// Path patterns of vendored trees (site-packages, node_modules, virtualenvs,
  /// .tox): other people's code, skipped unless `--include-vendored`.
  public var vendoredPaths: [String]
  /// Path patterns of tests and docs: a finding there is reported at low
  /// severity unless its rule recognises a provider's own format.
  public var lowSeverityPaths: [String]
  public var rules: [Rule]

  public init(
    version: Int = 1, description: String? = nil, placeholders: [String] = [], ignorePaths: [String] = [],
    vendoredPaths: [String] = [], lowSeverityPaths: [String] = [], rules: [Rule]
  ) {
    self.version = version
    self.description = description
    self.placeholders = placeholders
    self.ignorePaths = ignorePaths
    self.vendoredPaths = vendoredPaths
    self.lowSeverityPaths = lowSeverityPaths
    self.rules = rules
  }

  // A family file holds rules only; the shared lists are in one file (00-common.json).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    version = try c.decode(Int.self, forKey: .version)
    description = try c.decodeIfPresent(String.self, forKey: .description)
    placeholders = try c.decodeIfPresent([String].self, forKey: .placeholders) ?? []
    ignorePaths = try c.decodeIfPresent([String].self, forKey: .ignorePaths) ?? []
    vendoredPaths = try c.decodeIfPresent([String].self, forKey: .vendoredPaths) ?? []
    lowSeverityPaths = try c.decodeIfPresent([String].self, forKey: .lowSeverityPaths) ?? []
    rules = try c.decode([Rule].self, forKey: .rules)
  }
}
