import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `.djsecignore`: findings a team has reviewed and accepted, as gitleaks
/// users keep a `.gitleaksignore`. One entry per line, `#` starts a comment
/// (the reason):
///
/// - a secret's id, the 32 hex digits the reports show (`id` in the text
///   output, `secretHash` in JSON): that value, wherever it appears;
/// - a finding's fingerprint, `commit:path:rule:line`: that one finding;
/// - `path:GLOB` (fnmatch, `*` crosses folders): every finding at such a path;
/// - `rule:ID`: every finding of that rule.
///
/// Path and rule entries silence more than one value, so each needs a
/// reason after `#`. A line that is none of these is an error naming its
/// line number: a file that silently ignores nothing is worse than none (a
/// JSON report passed by mistake, the 12-digit prefix an older text report
/// showed).
public struct IgnoreFile: Sendable, Equatable {
  public static let defaultName = ".djsecignore"

  public enum Entry: Sendable, Equatable {
    case secret(String)
    case fingerprint(String)
    case path(String)
    case rule(String)
    /// A `.gitleaksignore` line, `commit:path:rule:line` (or `path:rule:line`):
    /// the place gitleaks reported, whichever djsec rule finds it there
    /// (gitleaks' rule ids are not djsec's).
    case place(commit: String?, path: String, line: Int)
  }

  public var entries: [Entry]

  public init(entries: [Entry] = []) { self.entries = entries }

  /// The file at `url`, or nil if there is none. `rules`: the ids a `rule:`
  /// entry may name (a misspelt id would silence nothing).
  public static func load(_ url: URL, rules: Set<String>) throws(IgnoreFileError) -> IgnoreFile? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(path: url.path) }
    return try parse(String(decoding: data, as: UTF8.self), path: url.path, rules: rules)
  }

  public static func parse(_ text: String, path: String, rules: Set<String>) throws(IgnoreFileError) -> IgnoreFile {
    var entries: [Entry] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      let parts = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
      let value = (parts.first ?? "").trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
      let reason = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
      if value.isEmpty { continue }
      entries.append(try entry(value, reason: reason, path: path, line: number, rules: rules))
    }
    return IgnoreFile(entries: entries)
  }

  /// One entry, as `djsec ignore add` and the parser read it.
  public static func entry(_ value: String, reason: String, path: String, line: Int, rules: Set<String>) throws(IgnoreFileError)
    -> Entry
  {
    let hex = value.allSatisfy(\.isHexDigit)
    if hex, value.count == 32 { return .secret(value.lowercased()) }
    if hex { throw .shortID(path: path, line: line, digits: value.count) }
    if value.hasPrefix("path:") || value.hasPrefix("rule:") {
      let target = String(value.drop { $0 != ":" }.dropFirst())
      guard !target.isEmpty else { throw .unknownLine(path: path, line: line) }
      guard !reason.isEmpty else { throw .missingReason(path: path, line: line) }
      if value.hasPrefix("path:") { return .path(target) }
      guard rules.contains(target) else { throw .unknownRule(path: path, line: line, rule: target) }
      return .rule(target)
    }
    // commit:path:rule:line (or path:rule:line off git): a rule id and a line number at the end.
    let fields = value.split(separator: ":", omittingEmptySubsequences: false)
    if fields.count >= 3, let last = fields.last, Int(last) != nil, rules.contains(String(fields[fields.count - 2])) {
      return .fingerprint(value)
    }
    throw .unknownLine(path: path, line: line)
  }

  public static let gitleaksName = ".gitleaksignore"

  /// A `.gitleaksignore` at `url`, or nil if there is none: gitleaks
  /// fingerprints and `#` comments; any other line is an error naming it.
  public static func loadGitleaks(_ url: URL) throws(IgnoreFileError) -> IgnoreFile? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(path: url.path) }
    var entries: [Entry] = []
    for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let value = (raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        .trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
      if value.isEmpty { continue }
      let fields = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 3, let line = Int(fields[fields.count - 1]), line > 0, !fields[fields.count - 2].isEmpty else {
        throw .notAFingerprint(path: url.path, line: index + 1)
      }
      let isCommit = fields.count >= 4 && [40, 64].contains(fields[0].count) && fields[0].allSatisfy(\.isHexDigit)
      let pathFields = fields[(isCommit ? 1 : 0)..<(fields.count - 2)]
      guard !pathFields.joined().isEmpty else { throw .notAFingerprint(path: url.path, line: index + 1) }
      entries.append(.place(commit: isCommit ? fields[0].lowercased() : nil, path: pathFields.joined(separator: ":"), line: line))
    }
    return IgnoreFile(entries: entries)
  }

  public func allows(_ f: Finding) -> Bool {
    entries.contains { entry in
      switch entry {
      case .secret(let id): f.secretHash == id
      case .fingerprint(let print): f.fingerprint == print
      case .path(let glob): fnmatch(glob, f.path, 0) == 0
      case .rule(let id): f.rule == id
      case .place(let commit, let path, let line): f.commit?.sha == commit && f.path == path && f.line == line
      }
    }
  }

  public func filter(_ result: ScanResult) -> ScanResult {
    var out = result
    out.findings = result.findings.filter { !allows($0) }
    return out
  }
}

public enum IgnoreFileError: Error, Equatable, Sendable {
  case unreadable(path: String)
  case unknownLine(path: String, line: Int)
  case shortID(path: String, line: Int, digits: Int)
  case missingReason(path: String, line: Int)
  case unknownRule(path: String, line: Int, rule: String)
  case notAFingerprint(path: String, line: Int)
}

extension IgnoreFileError: DjsecError {
  public var message: String {
    switch self {
    case .unreadable(let p): "cannot read \(p)"
    case .unknownLine(let p, let n): "\(p) line \(n) is not an ignore entry"
    case .shortID(let p, let n, let d): "\(p) line \(n) has \(d) hex digits, and a secret's id has 32"
    case .missingReason(let p, let n): "\(p) line \(n) ignores a whole path or rule without a reason"
    case .unknownRule(let p, let n, let r): "\(p) line \(n) names rule \(r), which no rule has as its id"
    case .notAFingerprint(let p, let n): "\(p) line \(n) is not a gitleaks fingerprint"
    }
  }

  public var hint: String? {
    switch self {
    case .unreadable: "check the file's permissions"
    case .unknownLine:
      "write a secret's 32-digit id, a fingerprint (commit:path:rule:line), path:GLOB or rule:ID, each optionally followed by # reason"
    case .shortID: "copy the whole id from the report (`djsec scan` prints it after 'id')"
    case .missingReason: "say why after #, e.g. 'path:tests/fixtures/* # generated test keys, never deployed'"
    case .unknownRule: "run 'djsec rules' for the rule ids"
    case .notAFingerprint: "gitleaks writes commit:path:rule:line (path:rule:line for files); keep only such lines and # comments"
    }
  }
}
