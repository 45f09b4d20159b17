import Foundation

/// `.djsecignore`: findings a team has reviewed and accepted, one per line,
/// as gitleaks users keep a `.gitleaksignore`. A line is a finding's
/// `fingerprint` (`commit:path:rule:line`) or its `secretHash` (which then
/// silences that value wherever it appears); `#` starts a comment.
public struct IgnoreFile: Sendable {
  public static let defaultName = ".djsecignore"
  public var entries: Set<String>

  public init(entries: Set<String> = []) { self.entries = entries }

  public static func load(_ url: URL) -> IgnoreFile? {
    guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
    var entries = Set<String>()
    for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
      let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      let entry = text.trimmingCharacters(in: .whitespaces)
      if !entry.isEmpty { entries.insert(entry) }
    }
    return IgnoreFile(entries: entries)
  }

  public func filter(_ result: ScanResult) -> ScanResult {
    var out = result
    out.findings = result.findings.filter { !entries.contains($0.fingerprint) && !entries.contains($0.secretHash) }
    return out
  }
}
